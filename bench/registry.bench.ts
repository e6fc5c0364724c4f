// In-process throughput of the registry handler (no sockets): packument GETs (full, abbreviated,
// gzip, 304) and tarball GETs on a 300-version package, against a bare handler returning the same
// bytes from memory as the ceiling. The HTTP load bench (Bun.serve, 50 connections) is separate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishBody } from '../tooling/e2e/src/publish-doc.ts';
import { createStore, type Store } from '../packages/r2-store/src/index.ts';
import { baseConfig, withoutProxy, createAuth, createRegistryHandler } from '../packages/registry-server/src/index.ts';
import { readTarball } from '../packages/registry-server/src/node.ts';

const BASE = 'http://127.0.0.1:4873';
const VERSIONS = 300;
const NAME = '@bench/big';
const config = { ...withoutProxy(baseConfig()), publicUrl: BASE };
const deps = (store: Store) => ({ store, config, auth: createAuth({ store, config }), readTarball });

/** Registers a user through the real auth routes and publishes VERSIONS versions; returns nothing. */
async function seed(store: Store) {
  const handler = createRegistryHandler(deps(store));
  const user = await handler(new Request(`${BASE}/-/user/org.couchdb.user:bench`, { method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', password: 'bench-password-123', email: 'b@example.com', type: 'user' }) }));
  const { token } = await user.json() as { token: string };
  for (let i = 0; i < VERSIONS; i++) {
    const { body } = await publishBody(NAME, `1.${i}.0`, BASE, { description: 'a package with many versions', dependencies: { semver: '^7.0.0', hono: '^4.0.0' }, readme: '# big\n'.repeat(50) });
    const res = await handler(new Request(`${BASE}/@bench%2fbig`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    if (res.status !== 201) throw new Error(`seed: ${res.status} ${await res.text()}`);
  }
}

interface Figures { name: string; opsPerSec: number; p50: number; p99: number; bytes: number }

/** Runs `concurrency` loops for `ms`, each request fully read; latency per request in ms. */
async function run(name: string, fn: () => Promise<Response>, { ms = 1500, concurrency = 50 } = {}): Promise<Figures> {
  for (let i = 0; i < 200; i++) await (await fn()).arrayBuffer();
  const latencies: number[] = [];
  let bytes = 0;
  const end = performance.now() + ms;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const res = await fn();
      bytes = (await res.arrayBuffer()).byteLength;
      latencies.push(performance.now() - t);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!;
  return { name, opsPerSec: latencies.length / elapsed, p50: q(0.5), p99: q(0.99), bytes };
}

const dir = mkdtempSync(join(tmpdir(), 'fw-bench-registry-'));
try {
  const memory = createStore({ driver: 'memory' });
  const fs = createStore({ driver: 'fs', root: dir });
  const t0 = performance.now();
  await seed(memory);
  console.log(`seeded ${VERSIONS} versions of ${NAME} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await seed(fs);

  const mem = createRegistryHandler(deps(memory));
  const memTtl = createRegistryHandler({ ...deps(memory), packumentRevalidateMs: 1000 });
  const onFs = createRegistryHandler(deps(fs));
  const get = (h: (r: Request) => Response | Promise<Response>, path: string, headers: Record<string, string> = {}) => async () => h(new Request(`${BASE}${path}`, { headers }));

  const full = await (await mem(new Request(`${BASE}/@bench%2fbig`))).arrayBuffer();
  const bare = new Uint8Array(full);
  const bareHandler = async () => new Response(bare, { headers: { 'content-type': 'application/json', etag: 'W/"x"' } });
  const abbr = { accept: 'application/vnd.npm.install-v1+json' };
  const etag = (await mem(new Request(`${BASE}/@bench%2fbig`))).headers.get('etag')!;

  const results: Figures[] = [];
  results.push(await run('ceiling: bare handler, same bytes', bareHandler));
  results.push(await run('packument full (memory store)', get(mem, '/@bench%2fbig')));
  results.push(await run('packument abbreviated (memory)', get(mem, '/@bench%2fbig', abbr)));
  results.push(await run('packument full gzip (memory)', get(mem, '/@bench%2fbig', { 'accept-encoding': 'gzip' })));
  results.push(await run('packument 304 (memory)', get(mem, '/@bench%2fbig', { 'if-none-match': etag })));
  results.push(await run('packument full, 1 s TTL, no head', get(memTtl, '/@bench%2fbig')));
  results.push(await run('packument full (fs store)', get(onFs, '/@bench%2fbig')));
  results.push(await run('packument abbreviated (fs)', get(onFs, '/@bench%2fbig', abbr)));
  results.push(await run('tarball (memory)', get(mem, '/@bench/big/-/big-1.150.0.tgz')));
  results.push(await run('tarball (fs)', get(onFs, '/@bench/big/-/big-1.150.0.tgz')));
  await mem.idle();
  await onFs.idle();

  const ceiling = results[0]!.opsPerSec;
  console.log(`in-process, 50 concurrent loops, ${VERSIONS}-version packument (${bare.byteLength} bytes full)`);
  console.log(`${'case'.padEnd(38)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'bytes'.padStart(8)}  vs ceiling`);
  for (const r of results) {
    console.log(`${r.name.padEnd(38)} ${r.opsPerSec.toFixed(0).padStart(9)} ${r.p50.toFixed(3).padStart(8)} ${r.p99.toFixed(3).padStart(8)} ${String(r.bytes).padStart(8)}  ${(r.opsPerSec / ceiling * 100).toFixed(0)}%`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
