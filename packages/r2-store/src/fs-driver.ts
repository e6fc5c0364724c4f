import { inlineCallsUnder, isLocal, mkdir, unlink } from './_fs-sys.ts';
import { join, resolve } from 'node:path';
import { StoreError } from './errors.ts';
import type { ObjectInfo, ObjectStore, PutOptions, StreamedObject } from './types.ts';
import { compareKeys, listPage } from './_util.ts';
import { locksReleased, sweepLocks, withLock } from './_fs-lock.ts';
import { CHUNK, type Described } from './_fs-format.ts';
import type { Entry, FileId } from './_fs-meta.ts';
import { fail, INTERNAL, isMissing, listLevel, sweepTemp, walk } from './_fs-io.ts';
import { fsObjects, sameEntry, toInfo, type Staged } from './_fs-objects.ts';
import { migrateOnStart } from './_fs-migrate.ts';
import { validatePrefix } from './validate-key.ts';

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
  /**
   * Make the filesystem calls that only read (open to read, stat, small reads, readFile, readdir)
   * on the calling thread rather than through the thread pool, a few microseconds each instead of
   * tens; creates, writes, renames, links, unlinks and every `fsync` stay on the pool. Default: when the folder is on a local filesystem (ext4, xfs,
   * btrfs, tmpfs, zfs, overlayfs, ... by its statfs type), not over NFS, SMB or FUSE. Applies to the
   * folder for the whole process.
   */
  inlineCalls?: boolean;
}

function checkCondition(key: string, current: ObjectInfo | Entry | null, opts: PutOptions): void {
  if (opts.ifNoneMatch === '*' && current) throw new StoreError('PRECONDITION_FAILED', `object exists: ${key}`, { key });
  if (opts.ifMatch !== undefined && current?.etag !== opts.ifMatch) {
    throw new StoreError('PRECONDITION_FAILED', `etag mismatch: ${key}`, { key });
  }
}

/**
 * A driver over a folder: each object is a plain file at its key's path holding exactly its bytes,
 * with its etag (the SHA-256 of the bytes), size, content type and metadata in a hidden
 * `.<name>.fw-meta` JSON file beside it that names the data file it describes, so a reader never
 * pairs new bytes with old metadata. Writes go to a temp file (fsynced), then the metadata file is
 * replaced, then the data file renamed in place, each rename followed by an fsync of the folder, so
 * a crash leaves the old or the new object. `head` is one stat and one small read. Every write holds
 * a per-key lock file, so conditional puts are safe across processes on one machine; a lock left by
 * a killed process is recovered (dead pid, or age), and every stale lock in the folder is removed at
 * the driver's first use (keys never written again too). On a local filesystem every committed write
 * also stamps the key's slot in a shared change map, which `changeStamp` reads from memory on Bun. Folders written in the older format (bytes
 * followed by a JSON trailer) are read as they are and migrated to plain files at the first use.
 * Node and Bun only. A key cannot also be a folder of longer keys (`a` and `a/b`), nor have a segment
 * of the form `.<name>.fw-meta`: INVALID_KEY.
 * @example
 * const driver = fsDriver({ root: './.factorywager' });
 * await driver.put('packages/@s/p/manifest.json', '{}', { ifNoneMatch: '*' });
 */
export function fsDriver(options: FsDriverOptions): ObjectStore {
  const root = resolve(options.root);
  const staleMs = options.lockStaleMs ?? 30_000;
  if (options.inlineCalls ?? isLocal(root)) inlineCallsUnder(root);
  const objects = fsObjects(root, staleMs);
  const { tmpDir, lockDir, pathOf, lockOf } = objects;
  let ready: Promise<unknown> | undefined;
  const init = () => (ready ??= Promise.all([mkdir(tmpDir, { recursive: true }), mkdir(lockDir, { recursive: true })])
    .then(() => Promise.all([sweepTemp(tmpDir), sweepLocks(lockDir, staleMs)]))
    .then(() => migrateOnStart(root, objects)));

  /**
   * The object in place, for a writer holding the key's lock: what was read ahead of the lock while
   * a stat and the sidecar show the same entry for the file there, else read again. The sidecar is
   * read too because a file's identity alone can repeat: ext4 hands a freed inode out again, and two
   * writes of one size can fall in one tick of the file times.
   */
  async function inPlace(key: string, seen: { entry: Entry | undefined } | null): Promise<Entry | undefined> {
    if (seen) {
      const now = await objects.named(key);
      if (!now && seen.entry === undefined) return undefined;
      if (now?.entry && seen.entry && sameEntry(now.entry, seen.entry)) return seen.entry;
    }
    return (await objects.current(key))?.entry;
  }

  return {
    name: 'fs',
    async get(key) {
      const o = await objects.openObject(key).catch((err) => fail(key, err));
      if (!o) return null;
      try {
        const size = o.entry.size;
        const body = new Uint8Array(size);
        let at = 0;
        while (at < size) {
          const { bytesRead } = await o.fh.read(body, at, size - at, at);
          if (bytesRead === 0) break;
          at += bytesRead;
        }
        return { ...toInfo(key, o.entry, o.mtime), body };
      } catch (err) {
        if (isMissing(err)) return null;
        return fail(key, err);
      } finally {
        await o.fh.close();
        if (o.kind === 'hashed') await objects.repair(key);
      }
    },
    async getStream(key): Promise<StreamedObject | null> {
      const o = await objects.openObject(key).catch((err) => fail(key, err));
      if (!o) return null;
      if (o.kind === 'hashed') await objects.repair(key);
      const { fh } = o;
      const size = o.entry.size;
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
      return { ...toInfo(key, o.entry, o.mtime), body };
    },
    head: (key) => objects.headOf(key).catch((err) => fail(key, err)),
    // the key is not validated here: reading the slot of any string is harmless, and this is per GET
    changeStamp: (key) => objects.changes.read(key),
    async put(key, body, opts = {}) {
      pathOf(key);
      await init();
      const conditional = opts.ifNoneMatch === '*' || opts.ifMatch !== undefined;
      // the object in place now, read ahead of the lock: fails a condition early, and lets the
      // sidecar be written and fsynced while the data file is
      const before = objects.current(key).then((o) => ({ entry: o?.entry }), () => null);
      if (conditional) {
        const seen = await before;
        if (seen) checkCondition(key, seen.entry ?? null, opts);
      }
      let staged: Staged | undefined;
      const describe = (d: Described, file: FileId): Entry => {
        const e: Entry = { ...d, file };
        if (opts.contentType !== undefined) e.contentType = opts.contentType;
        if (opts.metadata !== undefined) e.metadata = opts.metadata;
        return e;
      };
      const written = await objects.writeTemp(body, async (d, file) => {
        const seen = await before;
        if (seen) staged = { tmp: await objects.stageSidecar(key, describe(d, file), seen.entry), prev: seen.entry };
      }).catch(async (err) => {
        if (staged) await unlink(staged.tmp).catch(() => {});
        return fail(key, err);
      });
      try {
        await withLock(lockOf(key), async () => {
          const prev = await inPlace(key, await before);
          if (conditional) checkCondition(key, prev ?? null, opts);
          await objects.commit(key, describe(written.described, written.file), prev, written.tmp, staged);
          staged = undefined;
        }, staleMs);
      } catch (err) {
        await unlink(written.tmp).catch(() => {});
        if (staged) await unlink(staged.tmp).catch(() => {});
        return fail(key, err);
      }
      return { key, etag: written.described.etag };
    },
    async delete(key) {
      pathOf(key);
      await init();
      await objects.remove(key).catch((err) => fail(key, err));
    },
    async deleteMany(keys) {
      keys.forEach(pathOf);
      await init();
      for (const key of keys) await objects.remove(key).catch((err) => fail(key, err));
    },
    async list(opts = {}) {
      const prefix = validatePrefix(opts.prefix);
      await init(); // a server lists first on start: stale temp and lock files go, old-format objects are migrated
      if (prefix.startsWith(`${INTERNAL}/`)) return { keys: [], prefixes: [] };
      const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
      const dir = join(root, ...dirPart.split('/').filter(Boolean));
      if (opts.delimiter === '/') return listLevel(dir, dirPart, prefix, opts);
      const found: string[] = [];
      for await (const key of walk(dir, dirPart)) {
        if (key.startsWith(prefix)) found.push(key);
      }
      return listPage(found.sort(compareKeys), opts);
    },
    // a put answers before its lock file is removed (see withLock): closing waits for those removals
    close: () => locksReleased(lockDir),
  };
}
