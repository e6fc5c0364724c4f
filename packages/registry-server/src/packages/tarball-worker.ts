import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RegistryError, STATUS, type RegistryErrorCode } from '../errors.ts';
import { readTarball, type TarballFacts, type TarballLimits, type TarballReader } from './tarball-reader.ts';

/** A {@link TarballReader} that reads in worker threads, with `close()` to stop them. */
export type OffThreadTarballReader = TarballReader & {
  /** Stops the workers; tarballs being read fail. */
  close(): Promise<void>;
  /** True when no worker could be started and tarballs are read on the calling thread. */
  readonly inThread: boolean;
  /** Workers running now (they start on first use and stop after `idleMs` without work). */
  readonly running: number;
};

/** Options of {@link offThreadTarballReader}. */
export interface OffThreadOptions {
  /** Most workers at once. Default 1. */
  workers?: number;
  /**
   * Tarballs smaller than this (bytes, compressed) are read on the calling thread: gzip inflates at
   * most about 1,000-fold, so one is at most ~4 MB of tar, a few milliseconds of work in steps that
   * yield, and never worth a worker (its start, a copy each way, its ~10 MB of memory). Default 4096.
   */
  inThreadBelow?: number;
  /** A worker without work for this long stops, giving its memory back. Default 30,000 ms. */
  idleMs?: number;
}

interface Pending {
  resolve(facts: TarballFacts): void;
  reject(err: unknown): void;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Pending>;
  idle?: ReturnType<typeof setTimeout>;
}

// From source the worker entry is next to this file; tsup puts it at the top of dist/ as
// tarball-worker.js, beside the other entries and the chunk this code lands in.
const ENTRY_CANDIDATES = ['./tarball-worker-entry.ts', './tarball-worker.js'];

function entry(): URL | null {
  let here: string;
  try {
    here = import.meta.url;
  } catch {
    return null; // no URL for this module (a bundle): read on the calling thread
  }
  // In a standalone executable (`bun build --compile`, the single-file `fw`) the files live in a
  // virtual /$bunfs/ where no worker entry is found (Bun 1.4.4 did not resolve an embedded extra
  // entry point by name either): tarballs are read on the calling thread there.
  for (const candidate of ENTRY_CANDIDATES) {
    try {
      const url = new URL(candidate, here);
      if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url;
    } catch {
      // not a file URL: try the next
    }
  }
  return null;
}

/**
 * Reads publish tarballs ({@link readTarball}) in worker threads, so that inflating and parsing a
 * hostile archive (a gzip bomb of empty tar headers: up to `maxTarballEntries` entries, and the
 * garbage collection they cause) never holds up the requests the server's own thread answers.
 * Workers start on first use, one job at a time each, do not keep the process alive, and stop after
 * `idleMs` without work. Tarballs under `inThreadBelow` bytes, and all of them where no worker can be
 * started (a bundle without the worker file), are read on the calling thread, as {@link readTarball} does.
 * @example
 * const tarballs = offThreadTarballReader();
 * const handler = createRegistryHandler({ store, config, auth, readTarball: tarballs });
 * // on shutdown
 * await tarballs.close();
 */
export function offThreadTarballReader(options: OffThreadOptions = {}): OffThreadTarballReader {
  const size = Math.max(1, options.workers ?? 1);
  const inThreadBelow = options.inThreadBelow ?? 4096;
  const idleMs = options.idleMs ?? 30_000;
  const url = entry();
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;

  const start = (): Slot => {
    const worker = new Worker(url!);
    worker.unref();
    const slot: Slot = { worker, jobs: new Map() };
    const failAll = (err: unknown) => {
      for (const job of slot.jobs.values()) job.reject(err);
      slot.jobs.clear();
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
    };
    worker.on('message', (m: { id: number; facts?: TarballFacts; error?: { code: string; message: string } }) => {
      const job = slot.jobs.get(m.id);
      if (!job) return;
      slot.jobs.delete(m.id);
      if (m.error) job.reject(new RegistryError(Object.hasOwn(STATUS, m.error.code) ? (m.error.code as RegistryErrorCode) : 'INTERNAL', m.error.message));
      else job.resolve(m.facts!);
      if (slot.jobs.size === 0) {
        worker.unref();
        clearTimeout(slot.idle);
        slot.idle = setTimeout(() => {
          if (slot.jobs.size > 0) return;
          const i = slots.indexOf(slot);
          if (i >= 0) slots.splice(i, 1);
          void worker.terminate();
        }, idleMs);
        (slot.idle as { unref?: () => void }).unref?.();
      }
    });
    worker.on('error', (err) => failAll(new RegistryError('INTERNAL', `the tarball reader stopped: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => failAll(new RegistryError('INTERNAL', `the tarball reader exited (${code})`)));
    slots.push(slot);
    return slot;
  };

  const pick = (): Slot => {
    const idle = slots.find((s) => s.jobs.size === 0);
    if (idle) return idle;
    if (slots.length < size) return start();
    return slots.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
  };

  const read = (tgz: Uint8Array, limits: TarballLimits): Promise<TarballFacts> => {
    if (closed) return Promise.reject(new RegistryError('INTERNAL', 'the tarball reader is closed (the server is stopping)'));
    if (!url || tgz.byteLength < inThreadBelow) return readTarball(tgz, limits);
    const slot = pick();
    clearTimeout(slot.idle);
    const id = nextId++;
    return new Promise<TarballFacts>((resolve, reject) => {
      slot.jobs.set(id, { resolve, reject });
      slot.worker.ref(); // a job in flight keeps the process alive until it is answered
      slot.worker.postMessage({ id, tgz, limits: { maxUnpackedSize: limits.maxUnpackedSize, maxEntries: limits.maxEntries } });
    });
  };

  const reader = Object.defineProperty(read, 'running', { get: () => slots.length, enumerable: true }) as typeof read & { readonly running: number };
  return Object.assign(reader, {
    inThread: url === null,
    async close() {
      closed = true;
      await Promise.all(slots.splice(0).map((s) => {
        clearTimeout(s.idle);
        return s.worker.terminate();
      }));
    },
  });
}
