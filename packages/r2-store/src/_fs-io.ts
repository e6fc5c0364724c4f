// Small filesystem helpers of the fs driver: error mapping, durable renames, temp files, folder walks.
import { mkdir, readdir, rename, rmdir, stat, syncFile, unlink } from './_fs-sys.ts';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { StoreError } from './errors.ts';
import type { ListOptions, ListResult, PutBody } from './types.ts';
import { compareKeys, listPage } from './_util.ts';
import { processAlive } from './_fs-lock.ts';
import { isSidecarName } from './_fs-meta.ts';

/** Hidden folder under the root for temp and lock files; never listed, not usable as a key. */
export const INTERNAL = '.fw-store';
/** This host in temp file names, without the '-' that separates their parts. */
export const TMP_HOST = hostname().replace(/[^A-Za-z0-9.]/g, '_');

export const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException)?.code;
export const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
export const isMissing = (err: unknown): boolean => MISSING.has(code(err) ?? '');

export function fail(key: string, err: unknown): never {
  if (err instanceof StoreError) throw err;
  const c = code(err);
  if (c === 'ENAMETOOLONG') throw new StoreError('INVALID_KEY', `key segment too long for the filesystem: ${key}`, { key, cause: err });
  if (c === 'EMFILE' || c === 'ENFILE' || c === 'EAGAIN' || c === 'EBUSY') {
    throw new StoreError('UNAVAILABLE', `filesystem busy (${c}) for ${key}`, { key, cause: err });
  }
  throw new StoreError('INTERNAL', `filesystem error ${c ?? ''} for ${key}: ${(err as Error)?.message}`, { key, cause: err });
}

export async function fsyncDir(dir: string): Promise<void> {
  await syncFile(dir).catch(() => { /* not supported on every platform (Windows) */ });
}

export async function* chunksOf(body: PutBody): AsyncGenerator<Uint8Array> {
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

/** A fresh temp file path in `tmpDir`, named so that {@link sweepTemp} can tell whose it is. */
export const tempPath = (tmpDir: string): string => join(tmpDir, `${process.pid}-${TMP_HOST}-${crypto.randomUUID()}`);

/**
 * Removes temp files left by writers that died: named after a dead pid of this host, or older than
 * a day (a writer on another host sharing the folder).
 */
export async function sweepTemp(tmpDir: string): Promise<void> {
  const names = await readdir(tmpDir).catch(() => [] as string[]);
  await Promise.all(names.map(async (name) => {
    const [pidText, host] = name.split('-');
    const path = join(tmpDir, name);
    const ours = host === TMP_HOST && !processAlive(Number(pidText));
    const old = await stat(path).then((s) => Date.now() - s.mtimeMs > 86_400_000, () => false);
    if (ours || old) await unlink(path).catch(() => {});
  }));
}

/** Renames a synced temp file to `target` (creating its folder when missing) and fsyncs the folder. */
export async function publishFile(key: string, tmp: string, target: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      // the folder usually exists: it is made only when the rename says it is missing
      if (attempt > 0) await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
      await fsyncDir(dirname(target));
      return;
    } catch (err) {
      const c = code(err);
      if (c === 'ENOENT' && attempt < 6) continue; // no folder yet, or a parent pruned by a concurrent delete
      if (c === 'EISDIR' || c === 'ENOTDIR' || c === 'EEXIST') {
        throw new StoreError('INVALID_KEY', `key ${key} collides with a folder or file of another key on the fs driver`, { key, cause: err });
      }
      throw err;
    }
  }
}

/** Removes empty folders from `dir` up to (not including) `root`. */
export async function prune(root: string, dir: string): Promise<void> {
  while (dir.startsWith(root) && dir !== root) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}

/**
 * The entries of one folder the store lists: its files (sidecars left out unless asked for) and its
 * folders, by name; the internal folder is left out at the root. A missing folder has none.
 */
async function objectEntries(dir: string, atRoot: boolean, sidecars = false): Promise<{ files: string[]; folders: string[] }> {
  const found = { files: [] as string[], folders: [] as string[] };
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return found;
    throw err;
  }
  for (const e of entries) {
    if (atRoot && e.name === INTERNAL) continue;
    if (e.isDirectory()) found.folders.push(e.name);
    else if (e.isFile() && (sidecars || !isSidecarName(e.name))) found.files.push(e.name);
  }
  return found;
}

/** Every file under `dir` as a key (its path from the root), the internal folder and sidecars left out unless asked for. */
export async function* walk(dir: string, prefix: string, sidecars = false): AsyncGenerator<string> {
  const { files, folders } = await objectEntries(dir, prefix === '', sidecars);
  for (const name of folders) yield* walk(join(dir, name), `${prefix}${name}/`, sidecars);
  for (const name of files) yield `${prefix}${name}`;
}

/**
 * A `/`-delimited listing of `prefix` from the entries of its folder `dir` (`dirPart` is that
 * folder's key prefix), not a walk of everything under it (a walk of `packages/` read every file of
 * every package, for each page of a thousand names): its files are keys, and each folder stands for
 * its common prefix, which is kept when the folder holds a file somewhere below (a folder left empty
 * is no prefix, as in an object store).
 */
export async function listLevel(dir: string, dirPart: string, prefix: string, opts: ListOptions): Promise<ListResult> {
  const { files, folders } = await objectEntries(dir, dirPart === '');
  const found = [...files.map((n) => `${dirPart}${n}`), ...folders.map((n) => `${dirPart}${n}/`)].filter((k) => k.startsWith(prefix));
  const page = listPage(found.sort(compareKeys), opts);
  const held = await Promise.all(page.prefixes.map((p) => holdsFile(join(dir, p.slice(dirPart.length)))));
  return { ...page, prefixes: page.prefixes.filter((_, i) => held[i]) };
}

/** True when a file (not a sidecar) lies somewhere under `dir`; stops at the first. */
async function holdsFile(dir: string): Promise<boolean> {
  const { files, folders } = await objectEntries(dir, false).catch(() => ({ files: [], folders: [] }));
  if (files.length) return true;
  for (const name of folders) if (await holdsFile(join(dir, name))) return true;
  return false;
}
