// The registry as a Cloudflare Worker in workerd (apps/server/src/worker.ts over miniflare's R2
// simulator) beside the Bun server (apps/server/src/bun.ts over the fs store), in the same run:
// packument GET (full, abbreviated, gzip) and tarball GET of a 300-version package, under wrk in its
// own process (-t1 -c50), against the ceiling of a bare Bun.serve answering the same bytes, measured
// with the same wrk settings. workerd on 127.0.0.1 is not Cloudflare's edge (no CDN, no R2 over the
// network, one process on a shared 2-core machine): the figures compare the two runtimes here only.
import { addUser, publish, startRegistry, startWorkerdRegistry } from '../tooling/e2e/src/index.ts';
import { assertWrk, report, startCeiling, wrk, type WrkResult } from './_wrk.ts';

const PKG = 'fw-bench-workers';
const VERSIONS = Number(process.env.BENCH_VERSIONS ?? 300);
assertWrk();

async function seed(url: string): Promise<void> {
  const token = await addUser(url, 'bench', 'bench-password-123');
  for (let i = 0; i < VERSIONS; i++) {
    const res = await publish(url, token, PKG, `1.${Math.floor(i / 10)}.${i % 10}`);
    if (!res.ok) throw new Error(`publish to ${url} failed: ${res.status} ${await res.text()}`);
  }
}

const bytes = async (url: string, headers: Record<string, string> = {}) =>
  new Uint8Array(await (await fetch(url, { headers, decompress: false } as RequestInit)).arrayBuffer());

const bun = await startRegistry();
const worker = await startWorkerdRegistry();
try {
  await Promise.all([seed(bun.url), seed(worker.url)]);
  const abbreviated = { accept: 'application/vnd.npm.install-v1+json' };
  const gzip = { 'accept-encoding': 'gzip' };
  const tarball = (base: string) => `${base}/${PKG}/-/${PKG}-1.0.0.tgz`;
  const cases: Array<[string, (base: string) => string, Record<string, string>]> = [
    ['packument GET full', (b) => `${b}/${PKG}`, {}],
    ['packument GET abbreviated', (b) => `${b}/${PKG}`, abbreviated],
    ['packument GET full, gzip', (b) => `${b}/${PKG}`, gzip],
    ['tarball GET', tarball, {}],
  ];
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const full = await bytes(`${bun.url}/${PKG}`);
  const tgz = await bytes(tarball(bun.url));
  console.log(`${PKG}: ${VERSIONS} versions, packument ${full.length} B, tarball ${tgz.length} B; wrk -t1 -c50 --timeout 10s, ${seconds} s per case; 127.0.0.1`);
  console.log('workerd here is one local process over miniflare\'s R2 simulator, not Cloudflare\'s edge; shared 2-core machine: figures are noisy');
  console.log('the Bun server logs one JSON line per request; the Worker logs errors only (REGISTRY_LOG=errors, its default)');
  for (const [label, url, headers] of cases) {
    // the ceiling answers the bytes the Bun server gives for this request (the Worker's are the same size)
    const body = await bytes(url(bun.url), headers);
    const ceiling = await startCeiling(body, 'application/octet-stream');
    try {
      // 10 s before wrk calls a request timed out (its default is 2): on the shared machine a Worker's
      // tarball GET (an R2 read and a download-count write) passed 2 s now and then; slower is reported
      // as p99, and a hung request still fails the run
      const opts = { headers, timeout: 10 };
      const top = await wrk(ceiling.url, opts);
      const rows: Array<[string, WrkResult]> = [
        ['ceiling: Bun.serve, same bytes', top],
        ['Bun server (fs store)', await wrk(url(bun.url), opts)],
        ['Worker in workerd (R2 simulator)', await wrk(url(worker.url), opts)],
      ];
      console.log(`-- ${label} (${body.length} B)`);
      for (const [name, r] of rows) console.log(report(name, r, r === top ? undefined : top));
    } finally {
      ceiling.stop();
    }
  }
} finally {
  await worker.stop();
  await bun.stop();
}
