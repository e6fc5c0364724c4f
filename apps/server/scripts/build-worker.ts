// `bun run build` step of apps/server: bundles the Workers entry (src/worker.ts) into dist/worker.js
// and fails when the bundle is over the Workers size limit: 3 MiB gzip-compressed on the Free plan
// (10 MiB on paid plans), checked against the smaller. Run from apps/server.
import { gzipSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { bundleWorker } from '@factorywager/build/worker-bundle';

/** The Workers Free plan's limit on a Worker's size after gzip compression. */
export const WORKER_GZIP_LIMIT = 3 * 1024 * 1024;

const code = await bundleWorker('src/worker.ts', { minify: true });
mkdirSync('dist', { recursive: true });
writeFileSync('dist/worker.js', code);
const gz = gzipSync(code, { level: 9 }).byteLength;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const report = { file: 'dist/worker.js', bytes: code.length, gzipBytes: gz, gzipLimit: WORKER_GZIP_LIMIT };
writeFileSync('dist/worker-size.json', `${JSON.stringify(report, null, 2)}\n`);
if (gz > WORKER_GZIP_LIMIT) {
  console.error(`dist/worker.js is ${kib(gz)} gzipped, over the Workers limit of ${kib(WORKER_GZIP_LIMIT)}`);
  process.exit(1);
}
console.log(`dist/worker.js: ${kib(code.length)}, ${kib(gz)} gzipped (Workers limit ${kib(WORKER_GZIP_LIMIT)})`);
