// Load from wrk (its own process, as the benchmarks use it) over a mix of requests: a Lua script
// hands wrk's connections the requests in turn, with "cold" requests (first reads) brought in one
// after another while the others repeat. wrk is installed by tooling/scripts/install-system-deps.sh.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWrk } from '../../../bench/_wrk.ts';

/** One request of the mix: a path on the target, and its headers. */
export interface LoadRequest {
  path: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  /** Responses with a status of 400 or more. */
  non2xx: number;
  /** Connect, read and write errors, and requests unanswered within the timeout (hung). */
  socketErrors: number;
  /** wrk's report, for failure messages. */
  report: string;
}

const lua = (s: string) => JSON.stringify(s); // ASCII paths and header values: a JSON string is a Lua string
const format = (r: LoadRequest) =>
  `wrk.format("GET", ${lua(r.path)}, {${Object.entries(r.headers ?? {}).map(([k, v]) => `[${lua(k)}]=${lua(v)}`).join(', ')}})`;

/**
 * Runs wrk against `base` (127.0.0.1 only) for `seconds` with `connections`: every request is the next
 * of `warm` in turn, except every fifth, which is the current `cold` request (each cold one in turn
 * for `coldSpan` requests, then the next; once all were read the mix is only warm ones).
 * @example
 * const r = await wrkLoad(url, { warm: [{ path: '/pkg' }], cold: [{ path: '/other' }], seconds: 5 });
 * r.non2xx; // 0
 */
export async function wrkLoad(base: string, options: {
  warm: LoadRequest[]; cold?: LoadRequest[]; coldSpan?: number; seconds?: number; connections?: number; timeoutSeconds?: number;
}): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1[:/]/.test(base)) throw new Error(`load goes to 127.0.0.1 only, not ${base}`);
  const dir = mkdtempSync(join(tmpdir(), 'fw-wrk-'));
  const script = join(dir, 'mix.lua');
  writeFileSync(script, [
    'local warm, cold',
    'local n = 0',
    // built in init: at the top of the script wrk.host is not set yet (the requests would lack Host)
    'init = function()',
    `  warm = { ${options.warm.map(format).join(',\n')} }`,
    `  cold = { ${(options.cold ?? []).map(format).join(',\n')} }`,
    'end',
    'request = function()',
    '  n = n + 1',
    `  local c = math.floor(n / ${options.coldSpan ?? 100})`,
    '  if n % 5 == 0 and c < #cold then return cold[c + 1] end',
    '  return warm[(n % #warm) + 1]',
    'end',
  ].join('\n'));
  const args = ['-t1', '-c', String(options.connections ?? 50), '-d', `${options.seconds ?? 10}s`, '--timeout', `${options.timeoutSeconds ?? 30}s`, '--latency', '-s', script, base];
  try {
    const report = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c));
      child.stderr.on('data', (c: Buffer) => (out += c));
      child.on('error', (err) => reject(new Error(`wrk could not start (tooling/scripts/install-system-deps.sh installs it): ${err.message}`)));
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`wrk exited ${code}:\n${out}`))));
    });
    const r = parseWrk(report);
    return { requests: r.requests, non2xx: r.non2xx, socketErrors: r.socketErrors, report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
