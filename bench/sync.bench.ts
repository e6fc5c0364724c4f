// sync:upload of a 1,000-object store to the local S3-protocol server, as whole `fw` processes: the
// second run (nothing changed: the journal and one listing per 1,000 keys decide, no object request),
// the same with the journal removed before each run (every object checked with a HEAD), and `fw
// --help` (process start and CLI load: the floor of any command). RUNS spawns each, round-robin;
// median, p90, min. The machine is shared, so absolute figures are noisy: compare ratios of one run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../packages/r2-store/src/index.ts';
import { startS3TestServer } from '../tooling/s3-server/src/index.ts';
import { repoRoot } from '../tooling/e2e/src/index.ts';
import { printFigures, timeProcesses } from './_process.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const OBJECTS = 1000;
const bin = join(repoRoot, 'apps/cli/src/bin.ts');

const data = mkdtempSync(join(tmpdir(), 'fw-bench-sync-'));
const s3 = await startS3TestServer({ bucket: 'fw-bench-sync' });
try {
  const local = createStore({ driver: 'fs', root: data });
  // 100 packages: 9 tarballs of 8 kB and a manifest each.
  const puts: Promise<unknown>[] = [];
  for (let p = 0; p < OBJECTS / 10; p++) {
    for (let v = 0; v < 9; v++) puts.push(local.put(`packages/bench-${p}/bench-${p}-1.0.${v}.tgz`, crypto.getRandomValues(new Uint8Array(8192))));
    puts.push(local.putJson(`packages/bench-${p}/manifest.json`, { name: `bench-${p}`, versions: {} }));
  }
  await Promise.all(puts);
  const env = { ...process.env, NO_COLOR: '1', FW_DATA_DIR: data, S3_ENDPOINT: s3.endpoint, S3_BUCKET: s3.bucket, S3_ACCESS_KEY_ID: 'test', S3_SECRET_ACCESS_KEY: 'test' };
  const cmd = ['bun', '--conditions=source', bin, 'sync', 'upload'];
  const t0 = performance.now();
  const first = Bun.spawnSync([...cmd, '--json'], { env, cwd: data, stderr: 'pipe' });
  const firstMs = performance.now() - t0;
  if (first.exitCode !== 0) throw new Error(first.stderr.toString());
  const sent = (JSON.parse(first.stdout.toString()) as { sent: string[] }).sent.length;
  console.log(`first run: ${sent} objects sent (${((OBJECTS * 0.9 * 8192) / 1024 ** 2).toFixed(1)} MB) in ${firstMs.toFixed(0)} ms`);
  if (sent !== OBJECTS) throw new Error(`expected ${OBJECTS} objects sent, got ${sent}`);

  const figures = timeProcesses([
    { label: 'fw --help', cmd: ['bun', '--conditions=source', bin, '--help'], env, cwd: data },
    { label: 'sync:upload, no changes', cmd, env, cwd: data },
    { label: 'sync:upload, no changes, no journal', cmd, env, cwd: data, reset: () => rmSync(join(data, '.sync'), { recursive: true, force: true }) },
  ], RUNS);
  console.log(`${OBJECTS} objects, ${RUNS} runs each (shared machine: noisy)`);
  printFigures(figures, 'fw --help');
} finally {
  await s3.stop();
  rmSync(data, { recursive: true, force: true });
}
