// Store throughput: put, get and head of 4 KiB objects on fs, s3 (the local S3-protocol server in a child
// process) and memory (for reference), sequential and 16-way; updateJson commits per second with
// 8 writers contending for one key. Plain timing loops, fixed time budget per case.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsDriver, memoryDriver, s3Driver, wrapStore, type Store } from '../packages/r2-store/src/index.ts';
import { startS3TestServer } from '../tooling/s3-server/src/index.ts';

const BUDGET_MS = Number(process.env.BENCH_STORE_MS ?? 1500);
const body = new Uint8Array(4096).map((_, i) => (i * 31) & 255);

interface Figures { ops: number; opsPerSec: number; p50: number; p99: number }

async function timed(width: number, op: (i: number) => Promise<unknown>): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: width }, async () => {
    while (performance.now() - start < BUDGET_MS) {
      const i = next++;
      const t0 = performance.now();
      await op(i);
      latencies.push(performance.now() - t0);
    }
  }));
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
  return { ops: latencies.length, opsPerSec: (latencies.length / elapsed) * 1000, p50: at(0.5), p99: at(0.99) };
}

const rows: Array<[string, string, Figures, string?]> = [];

async function benchStore(name: string, store: Store): Promise<void> {
  for (const width of [1, 16]) {
    let written = 0;
    rows.push([name, `put 4 KiB x${width}`, await timed(width, (i) => store.put(`bench/p${width}/${i}.bin`, body).then(() => { written = Math.max(written, i + 1); }))]);
    rows.push([name, `get 4 KiB x${width}`, await timed(width, (i) => store.get(`bench/p${width}/${i % written}.bin`))]);
    rows.push([name, `head x${width}`, await timed(width, (i) => store.head(`bench/p${width}/${i % written}.bin`))]);
  }
  let conflicts = 0;
  const key = 'bench/counter.json';
  const upd = await timed(8, () => store.updateJson<{ n: number }>(key, (cur) => ({ n: (cur?.n ?? 0) + 1 }), { retries: 1000 })
    .then((r) => { conflicts += r.conflicts; }));
  const final = (await store.getJson<{ n: number }>(key))!.n;
  if (final !== upd.ops) throw new Error(`${name}: counter ${final} after ${upd.ops} commits`);
  rows.push([name, 'updateJson x8 contended', upd, `${conflicts} conflicts retried, counter=${final}`]);
}

const root = mkdtempSync(join(tmpdir(), 'fw-store-bench-'));
const s3 = await startS3TestServer();
try {
  await benchStore('memory', wrapStore(memoryDriver()));
  await benchStore('fs', wrapStore(fsDriver({ root })));
  const s3Store = wrapStore(s3Driver({ endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }));
  await benchStore('s3', s3Store);
  await s3Store.close?.();
} finally {
  await s3.stop();
  rmSync(root, { recursive: true, force: true });
}

console.log(`${'driver'.padEnd(7)} ${'case'.padEnd(24)} ${'ops'.padStart(7)} ${'ops/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
for (const [driver, name, f, note] of rows) {
  console.log(`${driver.padEnd(7)} ${name.padEnd(24)} ${String(f.ops).padStart(7)} ${f.opsPerSec.toFixed(0).padStart(9)} ${f.p50.toFixed(2).padStart(8)} ${f.p99.toFixed(2).padStart(8)}${note ? `  ${note}` : ''}`);
}
const rate = (d: string, c: string) => rows.find(([x, y]) => x === d && y === c)![2].opsPerSec;
for (const c of ['put 4 KiB x16', 'get 4 KiB x16', 'head x16', 'updateJson x8 contended']) {
  console.log(`fs/s3 ratio, ${c}: ${(rate('fs', c) / rate('s3', c)).toFixed(2)}x`);
}
console.log('(s3 = fauxqs behind our conditional-write front on 127.0.0.1, in a child process; 2 shared cores)');
