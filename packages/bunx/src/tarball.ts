import { writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import ssri from 'ssri';
import { extract, list, type ReadEntry } from 'tar';
import { BunxError } from './errors.ts';

/** What one unpacked package may add up to; a larger one is refused as a decompression bomb. */
export const MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;
const MAX_ENTRIES = 200_000;

/**
 * Checks tarball bytes against `dist.integrity` (ssri) before anything else reads them. Only a
 * sha512 integrity counts: a package without one is refused, a mismatch is refused naming both.
 * @example
 * verifyIntegrity(bytes, manifest.dist.integrity, '@acme/cli@1.2.0');
 */
export function verifyIntegrity(bytes: Uint8Array, integrity: string | undefined, what: string): string {
  const parsed = integrity ? ssri.parse(integrity, { strict: true }) : null;
  const expected = parsed?.sha512?.[0];
  if (!parsed || !expected) {
    throw new BunxError('INTEGRITY_MISSING', `${what} has no sha512 integrity in its packument (dist.integrity); refusing to run it unverified`);
  }
  const ok = ssri.checkData(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), expected.toString());
  if (!ok) {
    const actual = ssri.fromData(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { algorithms: ['sha512'] }).toString();
    throw new BunxError('INTEGRITY_MISMATCH', `${what}: the tarball does not match its integrity (expected ${expected.toString()}, got ${actual}); nothing was cached`);
  }
  return expected.toString();
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
// Metadata a parser may pass on; they create nothing on disk.
const META_TYPES = new Set(['GlobalExtendedHeader', 'ExtendedHeader', 'NextFileHasLongPath', 'NextFileHasLongLinkpath', 'OldExtendedHeader']);

/** The entry's path below the top folder (npm's `package/`), or a reason to refuse it. */
function innerPath(raw: string): string | { refuse: string } {
  const path = raw.replace(/\\/g, '/');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return { refuse: `absolute path "${raw}"` };
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { refuse: `path with ".." "${raw}"` };
  return parts.slice(1).join('/');
}

/**
 * Why an entry would be refused, or null when it lands inside the package folder.
 * @example
 * unsafeEntry({ path: 'package/../x', type: 'File' }); // 'path with ".." "package/../x"'
 */
export function unsafeEntry(entry: Pick<ReadEntry, 'path' | 'type' | 'linkpath'>): string | null {
  if (META_TYPES.has(entry.type)) return null;
  const inner = innerPath(entry.path);
  if (typeof inner !== 'string') return inner.refuse;
  if (FILE_TYPES.has(entry.type) || entry.type === 'Directory') return null;
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
    const target = (entry.linkpath ?? '').replace(/\\/g, '/');
    if (!target || target.startsWith('/') || /^[A-Za-z]:/.test(target)) return `${entry.type === 'Link' ? 'hard ' : ''}link "${entry.path}" -> absolute "${target}"`;
    // A symbolic link is relative to its folder; a hard link names another entry of the archive.
    const landed = entry.type === 'SymbolicLink'
      ? posix.normalize(posix.join(posix.dirname(inner), target))
      : (() => { const t = innerPath(target); return typeof t === 'string' ? t : '..'; })();
    const outside = landed === '..' || landed.startsWith('../') || (entry.type === 'Link' && (landed === '' || landed === '.'));
    if (outside) return `link "${entry.path}" -> "${target}" points outside the package`;
    return null;
  }
  return `${entry.type} entry "${entry.path}" (only files, folders and links inside the package are unpacked)`;
}

/**
 * Unpacks a verified tarball into `dest` (the top folder stripped, as npm does) after a first pass
 * that refuses the whole archive if any entry would land outside: `..`, absolute paths, links that
 * point out, device files and FIFOs, or more than {@link MAX_UNPACKED_BYTES}. node-tar then
 * extracts with owners not preserved and its warnings as errors.
 * @example
 * unpackTarball(bytes, '/tmp/build/package', '@acme/cli@1.2.0');
 */
export function unpackTarball(bytes: Uint8Array, file: string, dest: string, what: string): void {
  writeFileSync(file, bytes, { mode: 0o600 });
  let total = 0;
  let count = 0;
  let refused: string | null = null;
  try {
    list({
      file,
      sync: true,
      strict: true,
      onReadEntry: (entry) => {
        refused ??= unsafeEntry(entry);
        total += entry.size ?? 0;
        count++;
        entry.resume();
      },
    });
  } catch (err) {
    throw new BunxError('UNSAFE_TARBALL', `${what}: the tarball cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (refused) throw new BunxError('UNSAFE_TARBALL', `${what}: refusing the tarball: ${refused}; nothing was cached`);
  if (total > MAX_UNPACKED_BYTES || count > MAX_ENTRIES) {
    throw new BunxError('UNSAFE_TARBALL', `${what}: the tarball unpacks to ${count} entries and ${total} bytes, over the limit; nothing was cached`);
  }
  try {
    extract({ file, cwd: dest, strip: 1, sync: true, strict: true, preserveOwner: false, noMtime: false });
  } catch (err) {
    throw new BunxError('UNSAFE_TARBALL', `${what}: unpacking failed: ${(err as Error).message}; nothing was cached`, { cause: err });
  }
}
