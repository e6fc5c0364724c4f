// GET /-/fw/graph of a 3,478-version package (the real typescript packument, stored as a local package
// of a real registry process), warm, as ascii and json: req/s and p99 under wrk in its own process
// (-t1 -c50), against the ceiling of a bare Bun.serve answering the same bytes, measured with the same
// wrk settings in the same run (json also gzip'ed, as clients ask for it). Then `version graph` end to
// end as a whole process (median of 10), next to a bare `bun` start and the CLI's own module loading.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createStore, keys } from '../packages/r2-store/src/index.ts';
import { addUser, repoRoot, startRegistry } from '../tooling/e2e/src/index.ts';
import { assertWrk, report, startCeiling, wrk } from './_wrk.ts';

const NAME = 'fw-bench-typescript';
const RUNS = 10;
assertWrk();

// The stripped fixture as a stored packument: every version with a dist, as a publish leaves it.
const fixture = JSON.parse(gunzipSync(readFileSync(join(repoRoot, 'packages/semver-graph/test/fixtures/typescript.json.gz'))).toString('utf8'));
const versions: Record<string, unknown> = {};
for (const [v, m] of Object.entries<Record<string, unknown>>(fixture.versions)) {
  versions[v] = { ...m, name: NAME, version: v, dist: { tarball: `http://127.0.0.1/${NAME}/-/${NAME}-${v}.tgz`, shasum: '0'.repeat(40), integrity: `sha512-${'A'.repeat(86)}==` } };
}
const dataDir = mkdtempSync(join(tmpdir(), 'fw-bench-graph-'));
const seed = createStore({ driver: 'fs', root: dataDir });
await seed.putJson(keys.manifest(NAME), {
  _id: NAME, _rev: '1-bench', name: NAME, 'dist-tags': fixture['dist-tags'], versions,
  time: { created: '2012-10-01T00:00:00.000Z', modified: '2025-01-01T00:00:00.000Z', ...fixture.time },
  maintainers: [{ name: 'bench' }],
});
const count = Object.keys(versions).length;

const registry = await startRegistry({ dataDir });
try {
  const graphUrl = (format: string) => `${registry.url}/-/fw/graph/${NAME}?format=${format}`;
  const bodies: Record<string, Uint8Array> = {};
  for (const format of ['ascii', 'json']) {
    const res = await fetch(graphUrl(format)); // the first request renders; every later one is warm
    if (!res.ok) throw new Error(`GET ${graphUrl(format)}: ${res.status} ${await res.text()}`);
    bodies[format] = new Uint8Array(await res.arrayBuffer());
  }
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  console.log(`${NAME}: ${count} versions; graph ascii ${bodies.ascii!.length} B, json ${bodies.json!.length} B; wrk -t1 -c50, ${seconds} s per case; 127.0.0.1 (shared machine: figures are noisy)`);
  const gzipped = new Uint8Array(await (await fetch(graphUrl('json'), { headers: { 'accept-encoding': 'gzip' }, decompress: false } as RequestInit)).arrayBuffer());
  const cases = [
    ['ascii', 'ascii', bodies.ascii!, {}],
    ['json', 'json', bodies.json!, {}],
    ['json, gzip', 'json', gzipped, { 'accept-encoding': 'gzip' }],
  ] as const;
  for (const [label, format, body, headers] of cases) {
    const ceiling = await startCeiling(body, 'application/octet-stream');
    try {
      const top = await wrk(ceiling.url, { headers });
      console.log(report(`ceiling: Bun.serve, ${label} bytes`, top));
      console.log(report(`GET /-/fw/graph ${label}, warm`, await wrk(graphUrl(format), { headers }), top));
    } finally {
      ceiling.stop();
    }
  }

  // The whole command, as a user runs it: process start, token lookup, registry request, output.
  // Without FW_TOKEN the CLI looks in the secrets manager (keychain) and .npmrc first.
  const cli = join(repoRoot, 'apps/cli/src/bin.ts');
  const token = await addUser(registry.url, 'bench', 'bench-password-123');
  const median = (args: string[], check: (out: string) => boolean, extra: Record<string, string> = {}) => {
    const env = { ...process.env, REGISTRY_URL: registry.url, NO_COLOR: '1', FW_TOKEN: '', ...extra };
    const times: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const t0 = performance.now();
      const r = spawnSync('bun', args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const ms = performance.now() - t0;
      if (r.status !== 0 || !check(r.stdout)) throw new Error(`bun ${args.join(' ')} failed: ${r.stderr}`);
      if (i > 0) times.push(ms); // the first run warms the disk cache
    }
    times.sort((a, b) => a - b);
    return { median: (times[RUNS / 2 - 1]! + times[RUNS / 2]!) / 2, min: times[0]!, max: times.at(-1)! };
  };
  const line = (label: string, r: { median: number; min: number; max: number }) =>
    console.log(`${label.padEnd(38)} median ${r.median.toFixed(0).padStart(5)} ms  (min ${r.min.toFixed(0)}, max ${r.max.toFixed(0)}, ${RUNS} runs)`);
  line('bun process start alone (bun -e 0)', median(['-e', '0'], () => true));
  line(`version graph ${NAME} (ascii)`, median(['--conditions=source', cli, 'version', 'graph', NAME], (out) => out.includes('[Current]')));
  line(`version graph ${NAME} json`, median(['--conditions=source', cli, 'version', 'graph', NAME, 'json'], (out) => out.startsWith('{')));
  line(`  the same, ascii, with FW_TOKEN`, median(['--conditions=source', cli, 'version', 'graph', NAME], (out) => out.includes('[Current]'), { FW_TOKEN: token }));
  line(`version --help (module loading alone)`, median(['--conditions=source', cli, 'version', '--help'], (out) => out.includes('rollback')));
} finally {
  await registry.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
