// Load with wrk (apt package `wrk`, installed by tooling/scripts/install-system-deps.sh) in its own
// process, and the ceiling to compare with: a bare Bun.serve handing back the same bytes from memory,
// also in its own process. Every HTTP bench uses these, with the same settings for ceiling and case.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkOptions {
  /** Seconds of load (default BENCH_SECONDS, else 5). */
  seconds?: number;
  connections?: number;
  threads?: number;
  headers?: Record<string, string>;
  /** Seconds after which wrk counts a request as a timeout (a socket error); wrk's default is 2. */
  timeout?: number;
}

export interface WrkResult {
  rps: number;
  /** 99th percentile latency in milliseconds. */
  p99: number;
  /** Median latency in milliseconds. */
  p50: number;
  /** Bytes per second read. */
  bytesPerSec: number;
  requests: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const UNIT_BYTES: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** Fails early, with the way to get it, when wrk is missing. */
export function assertWrk(): void {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (r.error) throw new Error('wrk is not installed: run tooling/scripts/install-system-deps.sh (apt-get install wrk)');
}

function duration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) throw new Error(`wrk: unreadable latency "${text}"`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** Parses the report of `wrk --latency`. */
export function parseWrk(out: string): WrkResult & { non2xx: number; socketErrors: number } {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p99 = /^\s*99%\s+(\S+)/m.exec(out);
  const p50 = /^\s*50%\s+(\S+)/m.exec(out);
  const transfer = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/.exec(out);
  const requests = /(\d+) requests in/.exec(out);
  if (!rps || !p99 || !p50 || !requests) throw new Error(`wrk: unreadable report:\n${out}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(rps[1]),
    p99: duration(p99[1]!),
    p50: duration(p50[1]!),
    bytesPerSec: transfer ? Number(transfer[1]) * UNIT_BYTES[transfer[2]!]! : 0,
    requests: Number(requests[1]),
    non2xx,
    socketErrors: socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0,
  };
}

/** Runs wrk against `url` (127.0.0.1 only); throws when any response failed. */
export function wrk(url: string, options: WrkOptions = {}): Promise<WrkResult> {
  if (!/^http:\/\/127\.0\.0\.1[:/]/.test(url)) throw new Error(`load goes to 127.0.0.1 only, not ${url}`);
  const seconds = options.seconds ?? Number(process.env.BENCH_SECONDS ?? 5);
  const args = ['-t', String(options.threads ?? 1), '-c', String(options.connections ?? 50), '-d', `${seconds}s`, '--latency'];
  if (options.timeout) args.push('--timeout', `${options.timeout}s`);
  for (const [k, v] of Object.entries(options.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited ${code}:\n${out}`));
      try {
        const r = parseWrk(out);
        if (r.non2xx > 0 || r.socketErrors > 0) return reject(new Error(`${url}: ${r.non2xx} non-2xx, ${r.socketErrors} socket errors`));
        resolve({ rps: r.rps, p99: r.p99, p50: r.p50, bytesPerSec: r.bytesPerSec, requests: r.requests });
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** One line of a load report: req/s, p99, MB/s, and the share of the ceiling when given. */
export function report(label: string, r: WrkResult, ceiling?: WrkResult): string {
  const ratio = ceiling ? `  ${((r.rps / ceiling.rps) * 100).toFixed(0)}% of ceiling` : '';
  return `${label.padEnd(38)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99.toFixed(2).padStart(7)} ms  ${(r.bytesPerSec / 1e6).toFixed(1).padStart(6)} MB/s${ratio}`;
}

/** A bare Bun.serve in its own process answering every request with `body` from memory: the ceiling. */
export async function startCeiling(body: Uint8Array, contentType: string): Promise<{ url: string; pid: number; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'fw-bench-ceiling-'));
  writeFileSync(join(dir, 'body'), body);
  writeFileSync(join(dir, 'ceiling.ts'), `
    const body = await Bun.file(${JSON.stringify(join(dir, 'body'))}).bytes();
    const s = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response(body, { headers: { 'content-type': ${JSON.stringify(contentType)} } }) });
    console.log(s.port);`);
  const proc = Bun.spawn(['bun', join(dir, 'ceiling.ts')], { stdout: 'pipe' });
  const first = await proc.stdout.getReader().read();
  const port = Number(new TextDecoder().decode(first.value).trim());
  if (!port) {
    proc.kill();
    rmSync(dir, { recursive: true, force: true });
    throw new Error('the ceiling server did not start');
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    pid: proc.pid,
    stop: () => {
      proc.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
