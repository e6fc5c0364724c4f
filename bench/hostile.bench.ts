// Hostile publishes against a real registry process (default limits): gzip bombs whose tarballs
// inflate to 440 MB of zeros (stopped at limits.maxUnpackedSize, 400 MiB) or to 760,000 empty tar
// headers (stopped at limits.maxTarballEntries, 100,000), one at a time and three at once. While they
// run, wrk in its own process pings /-/ping over one connection; the same wrk run against the idle
// server first is the baseline. The server's RSS is sampled from /proc every 20 ms.
// `bun run bench hostile`; BENCH_SECONDS sets the baseline's length.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { addUser, startRegistry } from '../tooling/e2e/src/index.ts';
import { assertWrk, parseWrk } from './_wrk.ts';

const MB = 1024 * 1024;

/** A ustar header of a regular file of `size` bytes. */
function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** gzip of the chunks `next` yields, streamed (the bench never holds the inflated bytes). */
async function gzipOf(next: () => Buffer | null): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((r) => gz.on('end', r));
  for (let chunk = next(); chunk; chunk = next()) if (!gz.write(chunk)) await new Promise((r) => gz.once('drain', r));
  gz.end();
  await ended;
  return Buffer.concat(out);
}

const pkgJson = (version: string) => Buffer.from(JSON.stringify({ name: 'fw-bomb', version }));

async function zerosBomb(version: string): Promise<Buffer> {
  const pj = pkgJson(version);
  let left = 440 * MB;
  let first = true;
  const zeros = Buffer.alloc(MB);
  return gzipOf(() => {
    if (first) {
      first = false;
      return Buffer.concat([header('package/package.json', pj.length), pj, Buffer.alloc(512 - pj.length), header('package/zeros.bin', 440 * MB)]);
    }
    if (left <= 0) return null;
    left -= MB;
    return zeros;
  });
}

async function headerBomb(version: string): Promise<Buffer> {
  const pj = pkgJson(version);
  let i = 0;
  const total = 760_000;
  return gzipOf(() => {
    if (i === 0) { i++; return Buffer.concat([header('package/package.json', pj.length), pj, Buffer.alloc(512 - pj.length)]); }
    if (i > total) return null;
    const batch: Buffer[] = [];
    for (let j = 0; j < 2048 && i <= total; j++, i++) batch.push(header(`package/f${i}`, 0));
    return Buffer.concat(batch);
  });
}

function body(version: string, tgz: Buffer): string {
  const integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
  return JSON.stringify({
    name: 'fw-bomb', 'dist-tags': { latest: version },
    versions: { [version]: { name: 'fw-bomb', version, dist: { integrity, shasum: createHash('sha1').update(tgz).digest('hex') } } },
    _attachments: { [`fw-bomb-${version}.tgz`]: { data: tgz.toString('base64'), length: tgz.length } },
  });
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** wrk over one connection to /-/ping for `seconds`: median, p99 and max latency. */
function pingLoad(url: string, seconds: number): Promise<{ p50: number; p99: number; max: number; requests: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t', '1', '-c', '1', '-d', `${seconds}s`, '--latency', `${url}/-/ping`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.on('error', reject);
    child.on('close', () => {
      try {
        const r = parseWrk(out);
        const max = /Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)/.exec(out);
        const unit = { us: 0.001, ms: 1, s: 1000 }[max?.[2] as 'us' | 'ms' | 's'] ?? 1;
        resolve({ p50: r.p50, p99: r.p99, max: max ? Number(max[1]) * unit : NaN, requests: r.requests });
      } catch (err) {
        reject(err);
      }
    });
  });
}

const fmt = (n: number) => `${n.toFixed(2).padStart(8)} ms`;

assertWrk();
const registry = await startRegistry();
try {
  const pid = registry.child.pid!;
  const token = await addUser(registry.url, 'bomber', 'bomb-test-password');
  const baselineSeconds = Number(process.env.BENCH_SECONDS ?? 5);
  const idle = await pingLoad(registry.url, baselineSeconds);
  console.log(`baseline  /-/ping, idle server        p50 ${fmt(idle.p50)}  p99 ${fmt(idle.p99)}  max ${fmt(idle.max)}  (${idle.requests} pings)`);

  const bombs = { zeros: zerosBomb, headers: headerBomb } as const;
  let n = 0;
  for (const [kind, make] of Object.entries(bombs)) {
    for (const concurrent of [1, 3]) {
      const bodies = await Promise.all(Array.from({ length: concurrent }, (_, i) => make(`1.0.${n + i}`).then((tgz) => body(`1.0.${n + i}`, tgz))));
      n += concurrent;
      const before = rssOf(pid);
      let peak = before;
      const sampler = setInterval(() => { peak = Math.max(peak, rssOf(pid)); }, 20);
      const started = performance.now();
      const ping = pingLoad(registry.url, 6);
      await new Promise((r) => setTimeout(r, 300));
      const answers = await Promise.all(bodies.map((b) => fetch(`${registry.url}/fw-bomb`, {
        method: 'PUT', body: b, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      }).then(async (res) => `${res.status} ${((await res.json()) as { error?: string }).error ?? ''}`)));
      const ms = performance.now() - started - 300;
      const p = await ping;
      clearInterval(sampler);
      const size = (bodies[0]!.length / MB).toFixed(2);
      console.log(`${kind.padEnd(7)} bomb x${concurrent} (${size} MB body each): ${answers[0]} in ${ms.toFixed(0)} ms`);
      console.log(`          /-/ping meanwhile            p50 ${fmt(p.p50)}  p99 ${fmt(p.p99)}  max ${fmt(p.max)}  (${p.requests} pings)`);
      console.log(`          server RSS ${(before / MB).toFixed(0)} MB -> peak ${(peak / MB).toFixed(0)} MB (+${((peak - before) / MB).toFixed(0)} MB)`);
    }
  }
} finally {
  await registry.stop();
}
