// Reading and committing fs-driver objects: a plain data file plus its sidecar (see _fs-meta.ts for
// why a reader never pairs new bytes with old metadata), and the old trailer format, read as it is.
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { open, readFile, stat, syncFile, unlink, writeFile, writeNewDurable, type Handle as FileHandle } from './_fs-sys.ts';
import { dirname, join } from 'node:path';
import { StoreError } from './errors.ts';
import type { ObjectInfo, PutBody } from './types.ts';
import { withLock } from './_fs-lock.ts';
import { CHUNK, hashFile, readTrailer, type Described } from './_fs-format.ts';
import { encodeSidecar, entryFor, entryWithBytes, fileIdOf, isSidecarName, sameFile, parseSidecar, sidecarName, type Entry, type FileId, type Sidecar } from './_fs-meta.ts';
import { chunksOf, code, fsyncDir, INTERNAL, isMissing, prune, publishFile, tempPath } from './_fs-io.ts';
import { validateKey } from './validate-key.ts';
import { changeMap } from './_fs-changes.ts';

/** An open object: its handle, what it is, and how that was learnt. */
export interface Opened {
  fh: FileHandle;
  entry: Entry;
  mtime: Date;
  /** `sidecar`: the sidecar names this file; `legacy`: the old trailer format; `hashed`: the bytes were hashed. */
  kind: 'sidecar' | 'legacy' | 'hashed';
}

/** A sidecar written ahead of the lock, and the entry it names as `prev`. */
export interface Staged { tmp: string; prev: Entry | undefined }

/** True when two entries name the same file and say the same of it. */
export const sameEntry = (a: Entry, b: Entry) => sameFile(a.file, b.file) && a.etag === b.etag && a.size === b.size
  && a.contentType === b.contentType && JSON.stringify(a.metadata) === JSON.stringify(b.metadata);

/** How often a reader opens again when the file it opened matches no entry of the sidecar it read. */
const REOPENS = 8;

export function toInfo(key: string, e: Described, mtime: Date): ObjectInfo {
  const info: ObjectInfo = { key, etag: e.etag, size: e.size, lastModified: mtime };
  if (e.contentType !== undefined) info.contentType = e.contentType;
  if (e.metadata !== undefined) info.metadata = { ...e.metadata };
  return info;
}

/** The objects of one folder. */
export function fsObjects(root: string, staleMs: number) {
  const tmpDir = join(root, INTERNAL, 'tmp');
  const lockDir = join(root, INTERNAL, 'locks');
  const changes = changeMap(root);

  const pathOf = (key: string) => {
    validateKey(key);
    if (key === INTERNAL || key.startsWith(`${INTERNAL}/`)) {
      throw new StoreError('INVALID_KEY', `key ${key} is reserved by the fs driver`, { key });
    }
    const segments = key.split('/');
    if (segments.some(isSidecarName)) throw new StoreError('INVALID_KEY', `key ${key} has a segment of the form .<name>.fw-meta, reserved by the fs driver for metadata files`, { key });
    return join(root, ...segments);
  };
  const sidecarOf = (path: string) => join(dirname(path), sidecarName(path.slice(dirname(path).length + 1)));
  const lockOf = (key: string) => join(lockDir, `${createHash('sha256').update(key).digest('hex')}.lock`);

  /** The sidecar at `path`: undefined when there is none, null when it is not one. */
  async function readSidecar(path: string): Promise<Sidecar | null | undefined> {
    try {
      return parseSidecar(await readFile(path, 'utf8'));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async function statFile(path: string) {
    try {
      const st = await stat(path, { bigint: true });
      return st.isFile() ? st : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  /** Describes a file no sidecar entry names: the old trailer format, or its bytes hashed. */
  async function describeUnnamed(fh: FileHandle, file: FileId, sidecar: Sidecar | null | undefined): Promise<Pick<Opened, 'entry' | 'kind'>> {
    const legacy = await readTrailer(fh, file.size);
    const d = legacy ?? { etag: await hashFile(fh, file.size), size: file.size };
    const known = entryWithBytes(sidecar, d);
    if (known) return { entry: { ...known, file }, kind: 'hashed' };
    return { entry: { ...d, file }, kind: legacy ? 'legacy' : 'hashed' };
  }

  /**
   * Opens the object at `key`, or null. Opens the file first, then reads the sidecar: a file put in
   * place by a write was named by the sidecar before the rename, so the sidecar read after it names it.
   */
  async function openObject(key: string): Promise<Opened | null> {
    const path = pathOf(key);
    const side = sidecarOf(path);
    for (let attempt = 0; ; attempt++) {
      let fh: FileHandle;
      try {
        fh = await open(path, 'r');
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
      try {
        const st = await fh.stat({ bigint: true });
        if (!st.isFile()) {
          await fh.close();
          return null;
        }
        const file = fileIdOf(st);
        const sidecar = await readSidecar(side);
        const entry = entryFor(sidecar, file);
        if (entry) return { fh, entry, mtime: st.mtime, kind: 'sidecar' };
        // no sidecar: an old-format or plain file, unless a delete or a write moved on since the open
        const now = sidecar === undefined ? await statFile(path) : null;
        const settled = now !== null && sameFile(fileIdOf(now), file);
        if (settled || attempt >= REOPENS) return { fh, ...(await describeUnnamed(fh, file, sidecar)), mtime: st.mtime };
        await fh.close();
      } catch (err) {
        await fh.close().catch(() => {});
        throw err;
      }
    }
  }

  /**
   * The file at `key` by one stat, and the entry its sidecar names for that file (undefined when it
   * names none); null when there is no file. Without a handle on the file, as a head is.
   */
  async function named(key: string): Promise<{ st: BigIntStats; entry: Entry | undefined } | null> {
    const path = pathOf(key);
    const [st, sidecar] = await Promise.all([statFile(path), readSidecar(sidecarOf(path))]);
    return st ? { st, entry: entryFor(sidecar, fileIdOf(st)) } : null;
  }

  /** The object's info, from one stat and one small read when its sidecar names it. */
  async function headOf(key: string): Promise<ObjectInfo | null> {
    const found = await named(key);
    if (!found) return null;
    if (found.entry) return toInfo(key, found.entry, found.st.mtime);
    const o = await openObject(key);
    if (!o) return null;
    await o.fh.close();
    if (o.kind === 'hashed') await repair(key);
    return toInfo(key, o.entry, o.mtime);
  }

  /** The current object at `key` (for a writer holding its lock), closed again. */
  async function current(key: string): Promise<Opened | null> {
    const o = await openObject(key);
    if (o) await o.fh.close();
    return o;
  }

  /**
   * Writes and fsyncs a temp file; returns it with the body's etag and size and the file's identity.
   * `alongside` runs while the file is fsynced (to stage the sidecar that will name it).
   */
  async function writeTemp(body: PutBody, alongside?: (d: Described, file: FileId) => Promise<void>): Promise<{ tmp: string; described: Described; file: FileId }> {
    const tmp = tempPath(tmpDir);
    if (typeof body === 'string' || body instanceof Uint8Array) {
      // A body in memory: written in one task on the pool, then fsynced beside the sidecar's write
      // (a handle's open, write and fsync were three round trips before the sidecar could start).
      try {
        const hash = createHash('sha256');
        // a string is hashed and written as it is, without a copy of its UTF-8 bytes on the JS heap
        // (a manifest of thousands of versions is a string of megabytes)
        if (typeof body === 'string') hash.update(body, 'utf8');
        else hash.update(body);
        await writeFile(tmp, body, { flag: 'wx' });
        const file = fileIdOf(await stat(tmp, { bigint: true }));
        const described = { etag: `"${hash.digest('hex')}"`, size: file.size };
        await Promise.all([syncFile(tmp), alongside?.(described, file)]);
        return { tmp, described, file };
      } catch (err) {
        await unlink(tmp).catch(() => {});
        throw err;
      }
    }
    const fh = await open(tmp, 'wx');
    try {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of chunksOf(body)) {
        hash.update(chunk);
        size += chunk.byteLength;
        await fh.write(chunk);
      }
      const file = fileIdOf(await fh.stat({ bigint: true }));
      const described = { etag: `"${hash.digest('hex')}"`, size };
      await Promise.all([fh.sync(), alongside?.(described, file)]);
      return { tmp, described, file };
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    } finally {
      await fh.close();
    }
  }

  /** Writes a sidecar to a temp file, on disk, for {@link commit} to rename in place. */
  async function stageSidecar(key: string, cur: Entry, prev: Entry | undefined): Promise<string> {
    const tmp = tempPath(tmpDir);
    try {
      await writeNewDurable(tmp, encodeSidecar(prev ? { format: 2, key, cur, prev } : { format: 2, key, cur }));
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
    return tmp;
  }

  async function publishSidecar(key: string, tmp: string): Promise<void> {
    await publishFile(key, tmp, sidecarOf(pathOf(key))).catch(async (err) => {
      await unlink(tmp).catch(() => {});
      throw err;
    });
  }

  /**
   * Makes `cur` the object at `key`, for a writer holding the key's lock: the sidecar first (naming
   * the new file as `cur` and the file in place as `prev`), then the data file `tmp` renamed in place.
   * A sidecar staged before the lock was taken is used when the file in place is still its `prev`.
   * When the rename fails, the sidecar goes back to naming what stays.
   */
  async function commit(key: string, cur: Entry, prev: Entry | undefined, tmp: string | undefined, staged?: Staged): Promise<void> {
    const path = pathOf(key);
    const fits = staged !== undefined && (staged.prev === undefined ? prev === undefined : prev !== undefined && sameEntry(staged.prev, prev));
    if (staged && !fits) await unlink(staged.tmp).catch(() => {});
    await publishSidecar(key, fits ? staged.tmp : await stageSidecar(key, cur, prev));
    if (tmp === undefined) return;
    try {
      await publishFile(key, tmp, path);
    } catch (err) {
      await (prev ? stageSidecar(key, prev, undefined).then((t) => publishSidecar(key, t)) : unlink(sidecarOf(path))).catch(() => {});
      await prune(root, dirname(path));
      throw err;
    } finally {
      changes.note(key);
    }
  }

  /** Copies the body of an old-format file into a plain temp file. */
  async function copyBody(o: Opened): Promise<{ tmp: string; file: FileId }> {
    const size = o.entry.size;
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (at >= size) return controller.close();
        const buf = new Uint8Array(Math.min(CHUNK, size - at));
        const { bytesRead } = await o.fh.read(buf, 0, buf.length, at);
        if (bytesRead === 0) return controller.error(new StoreError('INTERNAL', `object ${o.entry.etag} shrank while copying`));
        at += bytesRead;
        controller.enqueue(buf.subarray(0, bytesRead));
      },
    });
    const { tmp, described, file } = await writeTemp(body);
    if (described.etag !== o.entry.etag) {
      await unlink(tmp).catch(() => {});
      throw new StoreError('INTERNAL', `old-format object body does not match its etag`);
    }
    return { tmp, file };
  }

  /**
   * Brings the object at `key` to the plain form, holding its lock: an old-format file is rewritten
   * plain (same etag, content type and metadata); a file no sidecar names gets one. Returns what it did.
   */
  async function adopt(key: string): Promise<'kept' | 'rewritten' | 'described' | 'missing' | 'orphan removed'> {
    return withLock(lockOf(key), async () => {
      const o = await openObject(key);
      if (!o) {
        const path = pathOf(key);
        if (!(await statFile(path)) && (await readSidecar(sidecarOf(path))) !== undefined) {
          await unlink(sidecarOf(path)).catch(() => {});
          return 'orphan removed';
        }
        return 'missing';
      }
      try {
        if (o.kind === 'sidecar') return 'kept';
        if (o.kind === 'hashed') {
          await commit(key, o.entry, undefined, undefined);
          return 'described';
        }
        const { tmp, file } = await copyBody(o);
        await commit(key, { ...o.entry, file }, o.entry, tmp);
        return 'rewritten';
      } finally {
        await o.fh.close();
      }
    }, staleMs);
  }

  /** Gives a file that had to be hashed a sidecar, so the next read is cheap; a read-only folder stays as it is. */
  async function repair(key: string): Promise<void> {
    await adopt(key).catch(() => {});
  }

  async function remove(key: string): Promise<void> {
    const target = pathOf(key);
    await withLock(lockOf(key), async () => {
      try {
        await unlink(target);
      } catch (err) {
        if (code(err) === 'EISDIR' || code(err) === 'EPERM' || code(err) === 'ENOTDIR') return;
        if (!isMissing(err)) throw err;
      }
      await unlink(sidecarOf(target)).catch(() => {});
      changes.note(key);
      await fsyncDir(dirname(target));
      await prune(root, dirname(target));
    }, staleMs);
  }

  return { tmpDir, lockDir, changes, lockOf, pathOf, sidecarOf, readSidecar, statFile, openObject, named, headOf, current, writeTemp, stageSidecar, commit, adopt, repair, remove };
}

export type FsObjects = ReturnType<typeof fsObjects>;
