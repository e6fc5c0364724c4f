// Runs bundled Workers in real workerd processes (spawned by miniflare), for tests and benchmarks.
// Every socket is on 127.0.0.1. Needs Bun (Bun.build bundles the Worker sources).
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { bundleWorker as bundle } from '@factorywager/build/worker-bundle';
import { Miniflare, type WorkerOptions } from 'miniflare';

/** The compatibility settings every Worker of the project runs with (also in apps/server/wrangler.toml). */
export const COMPATIBILITY_DATE = '2026-07-01';
export const COMPATIBILITY_FLAGS = ['nodejs_compat'];

/** Asks the kernel for a free port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Bundles a Worker entry for workerd (see @factorywager/build/worker-bundle), with the workspace
 * packages taken from their sources (the `source` export condition).
 */
export function bundleWorker(entry: string, options: { alias?: Record<string, string>; minify?: boolean } = {}): Promise<string> {
  return bundle(entry, { ...options, conditions: ['source'] });
}

export interface WorkerSpec {
  name: string;
  /** The bundled ES module. */
  script: string;
  /** Text bindings (vars and secrets). */
  bindings?: Record<string, string>;
  /** R2 bindings: binding name -> bucket name (the same bucket name is the same bucket). */
  r2Buckets?: Record<string, string>;
  /** Host functions reachable from the Worker as service bindings. */
  serviceBindings?: WorkerOptions['serviceBindings'];
  /** Its own socket on 127.0.0.1 (a free port when 0 or absent). */
  port?: number;
}

export interface RunningWorkers {
  /** Each Worker's own URL (http://127.0.0.1:<port>), by name. */
  urls: Record<string, string>;
  miniflare: Miniflare;
  /** The workerd process's id (for its RSS). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Children of this process that are workerd binaries, by scanning /proc (Linux). */
function workerdChildren(): Set<number> {
  const out = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === process.pid && comm.startsWith('workerd')) out.add(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Resident memory of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return kb * 1024;
}

/**
 * Starts one workerd process (through miniflare) running `workers`, each on its own 127.0.0.1 socket,
 * each in its own isolate (no memory shared), over the R2 buckets they name (the local R2 simulator;
 * `persistDir` keeps the buckets on disk, else in memory).
 */
export async function startWorkers(workers: WorkerSpec[], options: { persistDir?: string; v8Flags?: string[] } = {}): Promise<RunningWorkers> {
  // miniflare reads V8 flags for workerd (e.g. --expose-gc) from this variable when it starts workerd
  const flagsBefore = process.env.MINIFLARE_WORKERD_V8_FLAGS;
  if (options.v8Flags?.length) process.env.MINIFLARE_WORKERD_V8_FLAGS = options.v8Flags.join(' ');
  const ports = await Promise.all(workers.map(async (w) => w.port || (await freePort())));
  const before = workerdChildren();
  const miniflare = new Miniflare({
    host: '127.0.0.1',
    port: await freePort(),
    ...(options.persistDir ? { r2Persist: options.persistDir } : {}),
    workers: workers.map((w, i) => ({
      name: w.name,
      modules: true,
      script: w.script,
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: COMPATIBILITY_FLAGS,
      bindings: w.bindings ?? {},
      r2Buckets: w.r2Buckets ?? {},
      ...(w.serviceBindings ? { serviceBindings: w.serviceBindings } : {}),
      unsafeDirectSockets: [{ host: '127.0.0.1', port: ports[i]! }],
    })),
  });
  try {
    await miniflare.ready;
  } catch (err) {
    await miniflare.dispose().catch(() => {});
    throw err;
  } finally {
    if (flagsBefore === undefined) delete process.env.MINIFLARE_WORKERD_V8_FLAGS;
    else process.env.MINIFLARE_WORKERD_V8_FLAGS = flagsBefore;
  }
  const started = [...workerdChildren()].filter((p) => !before.has(p));
  const urls: Record<string, string> = {};
  workers.forEach((w, i) => (urls[w.name] = `http://127.0.0.1:${ports[i]}`));
  return {
    urls,
    miniflare,
    pid: started[0],
    stop: () => miniflare.dispose(),
  };
}
