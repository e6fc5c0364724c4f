// HTTP load on a real registry process (`bun apps/server/src/bun.ts`, its own process) with wrk (its
// own process, -t1 -c50), each case next to a bare Bun.serve answering the same bytes from memory (the
// ceiling), measured with the same wrk settings in the same run after a warm-up of both. Cases: the
// packument of a 300-version package (full and abbreviated, plain and gzip), a 304 revalidation
// (If-None-Match) against a bare small-body answer, a tarball; publish over HTTP (4 in parallel, 300
// versions of one package, sent by this process); search, the web list page, the package list and the
// stats at 10,000 packages; a publish into a package that already has 3,000 versions. Per case: req/s,
// p50, p99, the share of the ceiling, the server's CPU seconds over the case and its peak RSS so far.
// The 10,000 packages and the 3,000-version package are written into the data folder through the
// store library before the server starts. All traffic stays on 127.0.0.1; the machine is shared, so
// absolute figures are noisy and the ratios (same run) are what to compare.
// BENCH_ROUNDS (default 2): each GET case alternates ceiling and registry rounds of BENCH_SECONDS / rounds.
// BENCH_CASES=full,304,... runs only those cases (the publish of the 300 versions always runs: the
// packument cases read that package); BENCH_CPU_PROF=<dir> has the server write a CPU profile there
// (Bun's --cpu-prof, also as markdown) when it stops.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createStore } from '../packages/r2-store/src/index.ts';
import { addUser, publishBody, startRegistry } from '../tooling/e2e/src/index.ts';
import { processCost } from './_proc.ts';
import { seedBigPackage, seedPackages } from './_registry-seed.ts';
import { assertWrk, startCeiling, wrk, type WrkResult } from './_wrk.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const CONNECTIONS = 50;
const PKG = 'fw-bench-big';
const BIG = 'fw-bench-3000';
const PACKAGES = Number(process.env.BENCH_PACKAGES ?? 10_000);
const PUBLISHES = 300;
const PARALLEL = 4;
const BIG_PUBLISHES = 40;
const only = process.env.BENCH_CASES ? new Set(process.env.BENCH_CASES.split(',')) : null;
const wanted = (key: string) => !only || only.has(key);
const profileDir = process.env.BENCH_CPU_PROF;

assertWrk();
const dataDir = mkdtempSync(join(tmpdir(), 'fw-bench-registry-'));
const seedStarted = performance.now();
const seed = createStore({ driver: 'fs', root: dataDir });
await seedPackages(seed, PACKAGES);
await seedBigPackage(seed, BIG, 3000, 'bench');
const seedMs = performance.now() - seedStarted;

// the request log goes to a file, as under a service manager (see StartOptions.requestLog)
const requestLog = `${dataDir}-requests.log`;
let registry = await startRegistry({ dataDir, requestLog });
let pid = registry.child.pid!;
let cpuMark = processCost(pid).cpu;
const header = `${'case'.padEnd(40)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'ceiling'.padStart(7)}  ${'CPU s'.padStart(5)} ${'CPU us/req'.padStart(10)} ${'peak RSS'.padStart(8)}`;

interface Measured { rps: number; p50: number; p99: number; requests?: number }

/**
 * One row: a registry case (server CPU seconds since the last row, per request, and peak RSS so far)
 * or, with `cpu` given, a ceiling (its own process's CPU).
 */
function row(label: string, r: Measured, ceiling?: WrkResult | null, cpu?: number): void {
  const ratio = ceiling ? `${(r.rps / ceiling.rps).toFixed(2)}x` : '';
  let used = cpu;
  let rss = '';
  if (used === undefined) {
    const now = processCost(pid);
    used = now.cpu - cpuMark;
    rss = `${now.peakRssMb.toFixed(0)} MB`;
    cpuMark = now.cpu;
  }
  const perRequest = r.requests ? `${((used * 1e6) / r.requests).toFixed(0)}` : '';
  console.log(`${label.padEnd(40)} ${r.rps.toFixed(0).padStart(8)} ${r.p50.toFixed(2).padStart(7)} ${r.p99.toFixed(2).padStart(7)} ${ratio.padStart(7)}  ${used.toFixed(1).padStart(5)} ${perRequest.padStart(10)} ${rss.padStart(8)}`);
}

async function load(url: string, headers: Record<string, string> = {}): Promise<WrkResult> {
  await wrk(url, { headers, seconds: WARMUP, connections: CONNECTIONS });
  cpuMark = processCost(pid).cpu;
  return wrk(url, { headers, seconds: SECONDS, connections: CONNECTIONS });
}

/** The ceiling (its own process, answering `body`) and then the registry at `url`, same wrk settings. */
/**
 * The rounds of one GET case (`BENCH_ROUNDS`, default 2): the ceiling and the registry take turns,
 * each round SECONDS / ROUNDS long, so a change in the shared machine's load falls on both alike.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));

/** Rounds merged: the rate over all of them, the mean p50, the worst p99. */
function merged(rounds: WrkResult[]): WrkResult {
  const requests = rounds.reduce((n, r) => n + r.requests, 0);
  const seconds = rounds.reduce((n, r) => n + r.requests / r.rps, 0);
  return {
    rps: requests / seconds,
    p50: rounds.reduce((n, r) => n + r.p50, 0) / rounds.length,
    p99: Math.max(...rounds.map((r) => r.p99)),
    bytesPerSec: rounds.reduce((n, r) => n + r.bytesPerSec, 0) / rounds.length,
    requests,
  };
}

async function versus(label: string, url: string, body: Uint8Array, headers: Record<string, string> = {}, ceilingLabel = `ceiling: Bun.serve, ${body.length} B`) {
  const ceiling = await startCeiling(body, 'application/octet-stream');
  const seconds = Math.max(1, Math.round(SECONDS / ROUNDS));
  const tops: WrkResult[] = [];
  const ours: WrkResult[] = [];
  let ceilingCpu = 0;
  let ourCpu = 0;
  try {
    await wrk(ceiling.url, { headers, seconds: WARMUP, connections: CONNECTIONS });
    await wrk(url, { headers, seconds: WARMUP, connections: CONNECTIONS });
    for (let i = 0; i < ROUNDS; i++) {
      let before = processCost(ceiling.pid).cpu;
      tops.push(await wrk(ceiling.url, { headers, seconds, connections: CONNECTIONS }));
      ceilingCpu += processCost(ceiling.pid).cpu - before;
      before = processCost(pid).cpu;
      ours.push(await wrk(url, { headers, seconds, connections: CONNECTIONS }));
      ourCpu += processCost(pid).cpu - before;
    }
  } finally {
    ceiling.stop();
  }
  const top = merged(tops);
  row(ceilingLabel, top, null, ceilingCpu);
  cpuMark = processCost(pid).cpu - ourCpu; // the registry row reports the CPU of its rounds only
  row(label, merged(ours), top);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** Sends prepared publish bodies, `parallel` at a time; latencies in ms and the rate. */
async function publishAll(token: string, name: string, versions: string[], parallel: number) {
  const bodies = await Promise.all(versions.map(async (v) => JSON.stringify((await publishBody(name, v, registry.url)).body)));
  const times: number[] = [];
  let failed = 0;
  let next = 0;
  cpuMark = processCost(pid).cpu;
  const started = performance.now();
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const t0 = performance.now();
      const res = await fetch(`${registry.url}/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      await res.arrayBuffer();
      times.push(performance.now() - t0);
      if (res.status !== 201) failed++;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { rps: bodies.length / seconds, p50: percentile(times, 0.5), p99: percentile(times, 0.99), requests: bodies.length, failed };
}

const versionCount = async (name: string) => Object.keys(((await (await fetch(`${registry.url}/${name}`)).json()) as { versions: object }).versions).length;

try {
  const [one, five, fifteen] = loadavg();
  console.log(`wrk -t1 -c${CONNECTIONS}, ${WARMUP} s warm-up + ${SECONDS} s per case; server pid ${pid}; seeded ${PACKAGES} packages and a 3,000-version package in ${(seedMs / 1000).toFixed(1)} s; load average ${one!.toFixed(2)} ${five!.toFixed(2)} ${fifteen!.toFixed(2)} (shared 2-core machine: absolute figures are noisy)`);
  const started = processCost(pid);
  console.log(`  server after start: RSS ${started.rssMb.toFixed(0)} MB, ${started.cpu.toFixed(1)} CPU s`);
  const token = await addUser(registry.url, 'bench', 'bench-password-123');
  console.log(header);

  // Publish over HTTP: 300 versions of one package, 4 PUTs in flight; then every version must be there.
  const versions = Array.from({ length: PUBLISHES }, (_, i) => `1.${Math.floor(i / 10)}.${i % 10}`);
  const pub = await publishAll(token, PKG, versions, PARALLEL);
  const lost = PUBLISHES - (await versionCount(PKG));
  row(`publish, ${PARALLEL} parallel, ${PUBLISHES} versions`, pub);
  console.log(`  ${pub.failed} failed, ${lost} lost`);
  if (pub.failed || lost) throw new Error(`publish: ${pub.failed} failed, ${lost} lost`);
  if (profileDir) {
    // A profile of the cases alone: a fresh server over the same data folder, with Bun's profiler on.
    await registry.stop({ keepData: true });
    registry = await startRegistry({ dataDir, requestLog, env: { BUN_OPTIONS: `--cpu-prof --cpu-prof-md --cpu-prof-dir=${profileDir}` } });
    pid = registry.child.pid!;
    console.log(`  profiling server pid ${pid} into ${profileDir}`);
  }

  const abbreviated = { accept: 'application/vnd.npm.install-v1+json' };
  const gz = { 'accept-encoding': 'gzip' };
  const fullRes = await fetch(`${registry.url}/${PKG}`);
  const etag = fullRes.headers.get('etag')!;
  const fullBody = new Uint8Array(await fullRes.arrayBuffer());
  const abbrBody = new Uint8Array(await (await fetch(`${registry.url}/${PKG}`, { headers: abbreviated })).arrayBuffer());
  const tarballUrl = `${registry.url}/${PKG}/-/${PKG}-1.0.0.tgz`;
  const tarBody = new Uint8Array(await (await fetch(tarballUrl)).arrayBuffer());
  const revalidated = await fetch(`${registry.url}/${PKG}`, { headers: { 'if-none-match': etag } });
  if (revalidated.status !== 304) throw new Error(`If-None-Match ${etag}: ${revalidated.status}, not 304`);
  console.log(`  packument ${fullBody.length} B full, ${abbrBody.length} B abbreviated; tarball ${tarBody.length} B`);

  if (wanted('full')) await versus('packument GET full', `${registry.url}/${PKG}`, fullBody);
  if (wanted('full-gz')) await versus('packument GET full, gzip', `${registry.url}/${PKG}`, gzipSync(fullBody), gz);
  if (wanted('abbr')) await versus('packument GET abbreviated', `${registry.url}/${PKG}`, abbrBody, abbreviated);
  if (wanted('abbr-gz')) await versus('packument GET abbreviated, gzip', `${registry.url}/${PKG}`, gzipSync(abbrBody), { ...abbreviated, ...gz });
  if (wanted('304')) await versus('304 revalidation (If-None-Match)', `${registry.url}/${PKG}`, new TextEncoder().encode('{}'), { 'if-none-match': etag }, 'ceiling: Bun.serve, small body (2 B)');
  if (wanted('tarball')) await versus('tarball GET', tarballUrl, tarBody);

  // Publish into a package that already has 3,000 versions, one at a time.
  if (wanted('publish-3000')) {
    const big = await publishAll(token, BIG, Array.from({ length: BIG_PUBLISHES }, (_, i) => `9.0.${i}`), 1);
    row(`publish into a 3,000-version package`, big);
    if (big.failed) throw new Error(`publish into ${BIG}: ${big.failed} failed`);
  }

  // Search and lists at 10,000 packages (the first request builds the index from the manifests).
  const first = performance.now();
  const probe = await fetch(`${registry.url}/-/v1/search?text=widget&size=20`);
  const total = ((await probe.json()) as { total: number }).total;
  console.log(`  first search (index built from ${PACKAGES} manifests): ${(performance.now() - first).toFixed(0)} ms, ${total} hits for "widget"`);
  if (wanted('search')) row(`search "widget", size 20`, await load(`${registry.url}/-/v1/search?text=widget&size=20`));
  if (wanted('search')) row(`search exact name`, await load(`${registry.url}/-/v1/search?text=fw-seed-4242&size=20`));
  if (wanted('list')) row(`web list page 3 (50 rows, HTML)`, await load(`${registry.url}/?page=3`));
  if (wanted('packages')) row(`GET /-/fw/packages (${PACKAGES} rows)`, await load(`${registry.url}/-/fw/packages`));
  if (wanted('stats')) row(`GET /-/fw/stats`, await load(`${registry.url}/-/fw/stats`));
  const end = processCost(pid);
  console.log(`  request log: ${(statSync(requestLog).size / 1e6).toFixed(0)} MB (${requestLog})`);
  console.log(`server: ${end.cpu.toFixed(1)} CPU s in all, peak RSS ${end.peakRssMb.toFixed(0)} MB, RSS now ${end.rssMb.toFixed(0)} MB; load average now ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
} finally {
  await registry.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(requestLog, { force: true });
}
