import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { StoreError } from './errors.ts';
import type { ObjectInfo, ObjectStore, PutBody, PutOptions, StreamedObject } from './types.ts';
import { compareKeys, listPage } from './_util.ts';
import { processAlive, sweepLocks, withLock } from './_fs-lock.ts';
import { CHUNK, encodeTrailer, readTrailer, toInfo, type Trailer } from './_fs-format.ts';
import { validateKey, validatePrefix } from './validate-key.ts';

/**
 * Options of {@link fsDriver}.
 * @example
 * const options: FsDriverOptions = { root: '/var/lib/factorywager', lockStaleMs: 60_000 };
 */
export interface FsDriverOptions {
  /** Root folder; created if missing. */
  root: string;
  /** A lock older than this is broken even if its process seems alive (pid reuse). Default 30 s. */
  lockStaleMs?: number;
}

/** Hidden folder under the root for temp and lock files; never listed, not usable as a key. */
const INTERNAL = '.fw-store';
/** This host in temp file names, without the '-' that separates their parts. */
const TMP_HOST = hostname().replace(/[^A-Za-z0-9.]/g, '_');

const code = (err: unknown) => (err as NodeJS.ErrnoException)?.code;
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

function fail(key: string, err: unknown): never {
  if (err instanceof StoreError) throw err;
  const c = code(err);
  if (c === 'ENAMETOOLONG') throw new StoreError('INVALID_KEY', `key segment too long for the filesystem: ${key}`, { key, cause: err });
  if (c === 'EMFILE' || c === 'ENFILE' || c === 'EAGAIN' || c === 'EBUSY') {
    throw new StoreError('UNAVAILABLE', `filesystem busy (${c}) for ${key}`, { key, cause: err });
  }
  throw new StoreError('INTERNAL', `filesystem error ${c ?? ''} for ${key}: ${(err as Error)?.message}`, { key, cause: err });
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try { await fh.sync(); } finally { await fh.close(); }
  } catch { /* not supported on every platform (Windows) */ }
}

async function* chunksOf(body: PutBody): AsyncGenerator<Uint8Array> {
  if (typeof body === 'string') yield Buffer.from(body, 'utf8');
  else if (body instanceof Uint8Array) yield body;
  else {
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  }
}

/**
 * Removes temp files left by writers that died: named after a dead pid of this host, or older than
 * a day (a writer on another host sharing the folder).
 */
async function sweepTemp(tmpDir: string): Promise<void> {
  const names = await readdir(tmpDir).catch(() => [] as string[]);
  await Promise.all(names.map(async (name) => {
    const [pidText, host] = name.split('-');
    const path = join(tmpDir, name);
    const ours = host === TMP_HOST && !processAlive(Number(pidText));
    const old = await stat(path).then((s) => Date.now() - s.mtimeMs > 86_400_000, () => false);
    if (ours || old) await unlink(path).catch(() => {});
  }));
}

/**
 * A driver over a folder: one file per key under `root`. Writes go to a temp file (fsynced), then a
 * rename, then an fsync of the folder, so a crash leaves the old or the new object. The etag is the
 * SHA-256 of the bytes. Every write holds a per-key lock file, so conditional puts are safe across
 * processes on one machine; a lock left by a killed process is recovered (dead pid, or age), and
 * every stale lock in the folder is removed at the driver's first use (keys never written again too).
 * Node and Bun only. A key cannot also be a folder of longer keys (`a` and `a/b`): INVALID_KEY.
 * @example
 * const driver = fsDriver({ root: './.factorywager' });
 * await driver.put('packages/@s/p/manifest.json', '{}', { ifNoneMatch: '*' });
 */
export function fsDriver(options: FsDriverOptions): ObjectStore {
  const root = resolve(options.root);
  const tmpDir = join(root, INTERNAL, 'tmp');
  const lockDir = join(root, INTERNAL, 'locks');
  const staleMs = options.lockStaleMs ?? 30_000;
  let ready: Promise<unknown> | undefined;
  const init = () => (ready ??= Promise.all([mkdir(tmpDir, { recursive: true }), mkdir(lockDir, { recursive: true })])
    .then(() => Promise.all([sweepTemp(tmpDir), sweepLocks(lockDir, staleMs)])));

  const pathOf = (key: string) => {
    validateKey(key);
    if (key === INTERNAL || key.startsWith(`${INTERNAL}/`)) {
      throw new StoreError('INVALID_KEY', `key ${key} is reserved by the fs driver`, { key });
    }
    return join(root, ...key.split('/'));
  };
  const lockOf = (key: string) => join(lockDir, `${createHash('sha256').update(key).digest('hex')}.lock`);

  async function openObject(key: string): Promise<FileHandle | null> {
    try {
      return await open(pathOf(key), 'r');
    } catch (err) {
      if (MISSING.has(code(err) ?? '')) return null;
      return fail(key, err);
    }
  }

  async function headOf(key: string): Promise<ObjectInfo | null> {
    const fh = await openObject(key);
    if (!fh) return null;
    try {
      return toInfo(key, await readTrailer(fh));
    } catch (err) {
      if (MISSING.has(code(err) ?? '')) return null;
      return fail(key, err);
    } finally {
      await fh.close();
    }
  }

  function checkCondition(key: string, current: ObjectInfo | null, opts: PutOptions): void {
    if (opts.ifNoneMatch === '*' && current) throw new StoreError('PRECONDITION_FAILED', `object exists: ${key}`, { key });
    if (opts.ifMatch !== undefined && current?.etag !== opts.ifMatch) {
      throw new StoreError('PRECONDITION_FAILED', `etag mismatch: ${key}`, { key });
    }
  }

  async function writeTemp(body: PutBody, opts: PutOptions): Promise<{ tmp: string; etag: string }> {
    const tmp = join(tmpDir, `${process.pid}-${TMP_HOST}-${crypto.randomUUID()}`);
    const fh = await open(tmp, 'wx');
    try {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of chunksOf(body)) {
        hash.update(chunk);
        size += chunk.byteLength;
        await fh.write(chunk);
      }
      const trailer: Trailer = { etag: `"${hash.digest('hex')}"`, size };
      if (opts.contentType !== undefined) trailer.contentType = opts.contentType;
      if (opts.metadata !== undefined) trailer.metadata = opts.metadata;
      await fh.write(encodeTrailer(trailer));
      await fh.sync();
      return { tmp, etag: trailer.etag };
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    } finally {
      await fh.close();
    }
  }

  async function publish(key: string, tmp: string, target: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(dirname(target), { recursive: true });
        await rename(tmp, target);
        await fsyncDir(dirname(target));
        return;
      } catch (err) {
        const c = code(err);
        if (c === 'ENOENT' && attempt < 5) continue; // a parent folder was pruned by a concurrent delete
        if (c === 'EISDIR' || c === 'ENOTDIR' || c === 'EEXIST') {
          throw new StoreError('INVALID_KEY', `key ${key} collides with a folder or file of another key on the fs driver`, { key, cause: err });
        }
        throw err;
      }
    }
  }

  async function prune(dir: string): Promise<void> {
    while (dir.startsWith(root) && dir !== root) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
      dir = dirname(dir);
    }
  }

  async function* walk(dir: string, prefix: string): AsyncGenerator<string> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (MISSING.has(code(err) ?? '')) return;
      throw err;
    }
    for (const e of entries) {
      if (prefix === '' && e.name === INTERNAL) continue;
      if (e.isDirectory()) yield* walk(join(dir, e.name), `${prefix}${e.name}/`);
      else if (e.isFile()) yield `${prefix}${e.name}`;
    }
  }

  async function remove(key: string): Promise<void> {
    const target = pathOf(key);
    await init();
    await withLock(lockOf(key), async () => {
      try {
        await unlink(target);
      } catch (err) {
        if (MISSING.has(code(err) ?? '') || code(err) === 'EPERM') return;
        throw err;
      }
      await fsyncDir(dirname(target));
      await prune(dirname(target));
    }, staleMs).catch((err) => fail(key, err));
  }

  return {
    name: 'fs',
    async get(key) {
      const fh = await openObject(key);
      if (!fh) return null;
      try {
        const t = await readTrailer(fh);
        const body = new Uint8Array(t.size);
        let at = 0;
        while (at < t.size) {
          const { bytesRead } = await fh.read(body, at, t.size - at, at);
          if (bytesRead === 0) break;
          at += bytesRead;
        }
        return { ...toInfo(key, t), body };
      } catch (err) {
        if (MISSING.has(code(err) ?? '')) return null;
        return fail(key, err);
      } finally {
        await fh.close();
      }
    },
    async getStream(key): Promise<StreamedObject | null> {
      const fh = await openObject(key);
      if (!fh) return null;
      let t;
      try {
        t = await readTrailer(fh);
      } catch (err) {
        await fh.close();
        if (MISSING.has(code(err) ?? '')) return null;
        return fail(key, err);
      }
      const size = t.size;
      let at = 0;
      let closed = false;
      const close = async () => {
        if (!closed) { closed = true; await fh.close(); }
      };
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            if (at >= size) {
              await close();
              return controller.close();
            }
            const buf = new Uint8Array(Math.min(CHUNK, size - at));
            const { bytesRead } = await fh.read(buf, 0, buf.length, at);
            if (bytesRead === 0) throw new StoreError('INTERNAL', `object ${key} shrank while reading`, { key });
            at += bytesRead;
            controller.enqueue(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
          } catch (err) {
            await close();
            controller.error(err);
          }
        },
        cancel: close,
      });
      return { ...toInfo(key, t), body };
    },
    head: (key) => headOf(key),
    async put(key, body, opts = {}) {
      const target = pathOf(key);
      await init();
      if (opts.ifNoneMatch === '*' || opts.ifMatch !== undefined) checkCondition(key, await headOf(key), opts);
      const { tmp, etag } = await writeTemp(body, opts).catch((err) => fail(key, err));
      try {
        await withLock(lockOf(key), async () => {
          if (opts.ifNoneMatch === '*' || opts.ifMatch !== undefined) checkCondition(key, await headOf(key), opts);
          await publish(key, tmp, target);
        }, staleMs);
      } catch (err) {
        await unlink(tmp).catch(() => {});
        return fail(key, err);
      }
      return { key, etag };
    },
    delete: remove,
    async deleteMany(keys) {
      keys.forEach(pathOf);
      for (const key of keys) await remove(key);
    },
    async list(opts = {}) {
      const prefix = validatePrefix(opts.prefix);
      await init(); // a server lists first on start: stale temp and lock files go then
      if (prefix.startsWith(`${INTERNAL}/`)) return { keys: [], prefixes: [] };
      const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
      const found: string[] = [];
      for await (const key of walk(join(root, ...dirPart.split('/').filter(Boolean)), dirPart)) {
        if (key.startsWith(prefix)) found.push(key);
      }
      return listPage(found.sort(compareKeys), opts);
    },
  };
}
