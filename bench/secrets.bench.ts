// Secrets throughput on this machine: envelope crypto, and the manager over the fs store with the file
// vault (and the OS keychain when one answers the probe). Plain timing loops; figures, no assertions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../packages/r2-store/src/index.ts';
import {
  MASTER_KEY_ITEM, RegistrySecretsManager, decryptEnvelope, encryptEnvelope, generateMasterKey, importAesKey, probeBunSecrets,
} from '../packages/secrets/src/index.ts';

async function time(label: string, n: number, fn: (i: number) => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const total = samples.reduce((a, b) => a + b, 0);
  const p = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  console.log(`${label.padEnd(44)} ${String(Math.round((n / total) * 1000)).padStart(8)} ops/s   p50 ${p(0.5).toFixed(3)} ms   p99 ${p(0.99).toFixed(3)} ms`);
  return total / n;
}

const key = await importAesKey(generateMasterKey());
const env = await encryptEnvelope(key, 'bench', 1, 'x'.repeat(64));
await time('envelope encrypt (64 B)', 5000, () => encryptEnvelope(key, 'bench', 1, 'x'.repeat(64)));
await time('envelope decrypt (64 B)', 5000, () => decryptEnvelope(key, 'bench', 1, env));

const service = `fw-bench-${process.pid}`;
const backends: Array<[string, boolean]> = [['file vault', false]];
if ((await probeBunSecrets(service)).ok) backends.push(['OS keychain', true]);
else console.log('(OS keychain not available here: run under tooling/scripts/with-keyring.sh to include it)');

for (const [name, useBunSecrets] of backends) {
  const dir = mkdtempSync(join(tmpdir(), 'fw-bench-secrets-'));
  const make = (cacheTtl: number) => new RegistrySecretsManager({ store: createStore({ driver: 'fs', root: join(dir, 'store') }), dataDir: dir, service, useBunSecrets, env: {}, actor: 'bench', cacheTtl });
  const m = make(0);
  await m.initialize();
  const N = 100;
  await time(`${name}: setSecret (create, fs store)`, N, (i) => m.setSecret(`k${i}`, `value-${i}`));
  await time(`${name}: rotateSecret`, N, (i) => m.rotateSecret(`k${i}`, `value-${i}-2`));
  const miss = await time(`${name}: getSecret, no cache`, N, (i) => m.getSecret(`k${i}`));
  const cached = make(3600);
  await cached.getSecret('k0');
  const hit = await time(`${name}: getSecret, cache hit`, 2000, () => cached.getSecret('k0'));
  await time(`${name}: getSecret --version 1 (envelope)`, N, (i) => m.getSecret(`k${i}`, { version: 1 }));
  const t = performance.now();
  const r = await Promise.all(Array.from({ length: 10 }, (_, i) => m.rotateSecret('k0', `race-${i}`)));
  console.log(`${`${name}: 10 concurrent rotations`.padEnd(44)} ${(performance.now() - t).toFixed(1)} ms, versions ${r.map((x) => x.version).sort((a, b) => a - b).join(',')}`);
  console.log(`${`${name}: cache hit / miss speed-up`.padEnd(44)} ${(miss / hit).toFixed(0)}x`);
  for (const s of await m.listSecrets()) await m.deleteSecret(s.key, { purge: true });
  if (useBunSecrets) await (globalThis as unknown as { Bun: { secrets: { delete(o: object): Promise<boolean> } } }).Bun.secrets.delete({ service, name: MASTER_KEY_ITEM });
  rmSync(dir, { recursive: true, force: true });
}
