// `bun run build` step of apps/server: bundles the Workers entry (src/worker.ts) into dist/worker.js
// and fails when the bundle is over the Workers size limit: 3 MiB gzip-compressed on the Free plan
// (10 MiB on paid plans), checked against the smaller. Run from apps/server.
// Options (for tests): --outdir <dir> (default dist), --limit <gzip bytes>, --source (bundle the
// workspace packages from their sources rather than their built dist/).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { bundleWorker } from '@factorywager/build/worker-bundle';

/** The Workers Free plan's limit on a Worker's size after gzip compression. */
const WORKER_GZIP_LIMIT = 3 * 1024 * 1024;

const { values } = parseArgs({ options: { outdir: { type: 'string' }, limit: { type: 'string' }, source: { type: 'boolean' } } });
const outdir = values.outdir ?? 'dist';
const limit = values.limit ? Number(values.limit) : WORKER_GZIP_LIMIT;
const code = await bundleWorker('src/worker.ts', { minify: true, conditions: values.source ? ['source'] : [] });
mkdirSync(outdir, { recursive: true });
writeFileSync(join(outdir, 'worker.js'), code);
const gz = gzipSync(code, { level: 9 }).byteLength;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
writeFileSync(join(outdir, 'worker-size.json'), `${JSON.stringify({ file: 'worker.js', bytes: code.length, gzipBytes: gz, gzipLimit: limit }, null, 2)}\n`);
if (gz > limit) {
  console.error(`${outdir}/worker.js is ${kib(gz)} gzipped, over the Workers limit of ${kib(limit)}`);
  process.exit(1);
}
console.log(`${outdir}/worker.js: ${kib(code.length)}, ${kib(gz)} gzipped (Workers limit ${kib(limit)})`);
