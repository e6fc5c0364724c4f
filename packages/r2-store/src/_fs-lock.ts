// Cross-process lock per key for the fs driver. Hand-written because the well-known packages
// (proper-lockfile and friends) are callback/mtime based and pull in graceful-fs; this needs ~80 lines.
// Scheme: the lock is a file holding "pid time nonce host", made whole at once: the content is written
// to a pending file `<lock>.<pid>.<nonce>.new` and hard-linked to the lock's name (link() fails when
// the name exists, like O_EXCL, but the lock never exists empty; a writer killed between creating an
// O_EXCL file and filling it left an empty lock that only its age could judge). A lock whose pid is
// dead (a SIGKILLed holder) or that is older than `staleMs` is stale; a lock from another host
// (another container sharing the folder: pids mean nothing there) only by age; an empty or cut-short
// lock (from a filesystem without hard links, where the lock is created with O_EXCL directly) by the
// file's age. A pending file left by a killed writer is removed by the sweep once its pid is dead;
// removing another writer's pending file is harmless (its link fails with ENOENT and it tries again).
// Breaking a stale lock takes a second O_EXCL file (`.break`) and removes the lock only if it still
// holds the stale content that was read, so two breakers cannot remove a fresh lock. Within a
// process, a promise chain per lock path serialises callers so that only one of them polls the file.
import { link, open, readdir, readFile, stat, unlink, writeFile } from './_fs-sys.ts';
import { hostname } from 'node:os';
import { StoreError } from './errors.ts';
import { sleep } from './_util.ts';

const CHAINS: unique symbol = Symbol.for('@factorywager/r2-store/fs-lock-chains');
// One map per process, not per copy of this module: a lock naming this pid counts as a leftover (see
// `alive`), so two copies (the ESM and the CJS build in one app) would break each other's locks.
const shared = globalThis as { [CHAINS]?: Map<string, Promise<unknown>> };
const chains = (shared[CHAINS] ??= new Map());

/** A lock naming this process is a leftover: our own callers are serialised in-process. */
const alive = (pid: number) => Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid);

/** True when a process with this pid exists (this process included). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

const HOST = hostname().replace(/\s/g, '_');
const stamp = () => `${process.pid} ${Date.now()} ${crypto.randomUUID()} ${HOST}`;

/** How long a lock or breaker file may stay empty or cut short before it counts as left by a dead writer. */
const UNFINISHED_MS = 2000;

async function isStale(path: string, content: string, staleMs: number): Promise<boolean> {
  const [pidText, timeText, , host] = content.split(' ');
  const time = Number(timeText);
  if (host === undefined || Number.isNaN(time)) {
    // empty or cut short: being written right now, or its writer was killed between creating and
    // filling it; judge by the file's age
    const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
    return age > UNFINISHED_MS;
  }
  if (Date.now() - time > staleMs) return true;
  return host === HOST && !alive(Number(pidText));
}

/** Creates `path` holding `content` with O_EXCL: false when it exists. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx');
    try {
      await fh.writeFile(content);
    } finally {
      await fh.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

const PENDING = /\.(\d+)\.[0-9a-f]{8}\.new$/;
/** Filesystems without hard links: the lock is created with O_EXCL directly (and judged by age when empty). */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);
let linksWork = true;

/** Creates the lock file `path` holding `content`, whole or not at all: false when it exists. */
async function tryCreate(path: string, content: string): Promise<boolean> {
  if (!linksWork) return createExclusive(path, content);
  const pending = `${path}.${process.pid}.${crypto.randomUUID().slice(0, 8)}.new`;
  await writeFile(pending, content, { flag: 'wx' });
  try {
    await link(pending, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST' || code === 'ENOENT') return false; // held; or our pending file was swept: try again
    if (!NO_LINKS.has(code)) throw err;
    linksWork = false;
    return createExclusive(path, content);
  } finally {
    // not waited for (but by locksReleased): the pending file's name is ours alone, and the sweep
    // takes one left by a crash
    const gone: Promise<void> = unlink(pending).catch(() => {}).finally(() => tidying.delete(gone));
    tidying.set(gone, pending);
  }
}

/** Removals of pending files still under way, by path. */
const tidying = new Map<Promise<void>, string>();

/** Removes the lock at `path` if it still holds `staleContent`; true when it did. */
async function breakStale(path: string, staleContent: string, staleMs: number): Promise<boolean> {
  const breaker = `${path}.break`;
  if (!(await tryCreate(breaker, stamp()))) {
    const held = await readLock(breaker);
    if (held !== null && (await isStale(breaker, held, staleMs))) await unlink(breaker).catch(() => {});
    return false;
  }
  try {
    if ((await readLock(path)) !== staleContent) return false;
    await unlink(path).catch(() => {});
    return true;
  } finally {
    await unlink(breaker).catch(() => {});
  }
}

async function acquire(path: string, staleMs: number, timeoutMs: number): Promise<string> {
  const content = stamp();
  const started = Date.now();
  for (let round = 0; ; round++) {
    if (await tryCreate(path, content)) return content;
    const held = await readLock(path);
    // retry at once only when the stale lock is gone; else wait (another breaker is at work) and
    // keep to the timeout
    if (held !== null && (await isStale(path, held, staleMs)) && (await breakStale(path, held, staleMs))) continue;
    if (Date.now() - started > timeoutMs) {
      throw new StoreError('UNAVAILABLE', `timed out waiting for lock ${path}`);
    }
    await sleep(Math.random() * Math.min(20, 1 + round));
  }
}

/**
 * Removes the lock and breaker files in `dir` that are stale (their process dead, or older than
 * `staleMs`): a lock of a key that is never written again would stay forever otherwise.
 * Returns how many were removed.
 */
export async function sweepLocks(dir: string, staleMs: number): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const path = `${dir}/${name}`;
    const pending = PENDING.exec(name);
    if (pending) {
      // a writer's pending lock content: left over once its pid is gone (or after a while, if from
      // another host); ours are in use
      const pid = Number(pending[1]);
      if (pid === process.pid) continue;
      const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => -1);
      if (age >= 0 && (!processAlive(pid) || age > UNFINISHED_MS)) {
        await unlink(path).catch(() => {});
        removed++;
      }
      continue;
    }
    if (chains.has(path) || chains.has(path.replace(/\.break$/, ''))) continue; // ours, in use
    const held = await readLock(path).catch(() => null);
    if (held === null || !(await isStale(path, held, staleMs))) continue;
    if (name.endsWith('.break')) {
      await unlink(path).catch(() => {});
      removed++;
    } else if (await breakStale(path, held, staleMs)) {
      removed++;
    }
  }
  return removed;
}

/**
 * Runs `fn` while holding the lock file at `path`, across processes and within this one. Resolves
 * with `fn`'s outcome once it is done; the lock file is removed right after, without the caller
 * waiting for that (the next caller in this process waits for it in the chain; another process
 * sees the lock a moment longer). {@link locksReleased} waits for those removals.
 */
export function withLock<T>(path: string, fn: () => Promise<T>, staleMs = 30_000, timeoutMs = 60_000): Promise<T> {
  const previous = chains.get(path) ?? Promise.resolve();
  let content: string | undefined;
  const held = previous.catch(() => {}).then(async () => {
    content = await acquire(path, staleMs, timeoutMs);
    return fn();
  });
  const released: Promise<void> = held.then(() => {}, () => {}).then(async () => {
    if (content !== undefined && (await readLock(path).catch(() => null)) === content) await unlink(path).catch(() => {});
    if (chains.get(path) === released) chains.delete(path);
  });
  chains.set(path, released);
  return held;
}

/** Resolves once every lock under `dir` this process holds or waits for is released (a driver's close). */
export async function locksReleased(dir: string): Promise<void> {
  const under = () => [
    ...[...chains.entries()].filter(([path]) => path.startsWith(`${dir}/`)).map(([, run]) => run),
    ...[...tidying.entries()].filter(([, path]) => path.startsWith(`${dir}/`)).map(([gone]) => gone),
  ];
  for (let runs = under(); runs.length > 0; runs = under()) await Promise.all(runs.map((r) => r.catch(() => {})));
}
