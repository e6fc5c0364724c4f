import { lstatSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BunxError } from './errors.ts';

const uid = typeof process.getuid === 'function' ? process.getuid() : null;

/** Random hex for temp names (the global WebCrypto: loading node:crypto costs Bun milliseconds). */
function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Refuses a folder or file that is not owned by the current user (or, for a folder, that others can
 * write to): another user could have planted code there. No check where there are no uids (Windows).
 */
export function assertOwned(path: string, what: string): void {
  if (uid === null) return;
  const st = lstatSync(path);
  if (st.isSymbolicLink()) throw new BunxError('CACHE_NOT_OWNED', `${what} ${path} is a symbolic link; refusing to use it`);
  if (st.uid !== uid) throw new BunxError('CACHE_NOT_OWNED', `${what} ${path} is owned by uid ${st.uid}, not by you (uid ${uid}); refusing to use it`);
  if (st.isDirectory() && (st.mode & 0o002) !== 0) {
    throw new BunxError('CACHE_NOT_OWNED', `${what} ${path} is writable by every user (mode ${(st.mode & 0o777).toString(8)}); refusing to use it`);
  }
}

/** Creates the folder (0700) if needed, then checks it is the user's own. */
export function ensureOwnedDir(path: string, what: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  assertOwned(path, what);
  return path;
}

/** Writes a whole file through a temp file and a rename, so a reader sees the old or the new one. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomHex(4)}.tmp`;
  try {
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** A fresh private folder under `parent` (which is created if needed). */
export function makeTempDir(parent: string, prefix: string): string {
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const dir = join(parent, `${prefix}${process.pid}-${randomHex(6)}`);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
