// The fs driver's metadata file ("sidecar"): each object is a plain file at its key's path holding
// exactly its bytes, and beside it, in the same folder, a hidden `.<name>.fw-meta` JSON file with its
// etag, size, content type and custom metadata.
//
// Why readers never pair new bytes with old metadata: two files cannot be replaced by one rename, so
// the sidecar names the data file it describes by identity (inode, size, mtime in ns, from fstat of
// the file that was written), and a reader uses an entry only when that identity matches the file it
// opened (a file handle pins its inode: the bytes it then reads are those of that identity). A write,
// holding the key's lock, (1) writes and fsyncs the new bytes to a temp file, (2) replaces the sidecar
// (temp + fsync + rename + fsync of the folder) with `{ cur: new, prev: current }`, where `prev` is
// the object that is current until the next step, and (3) renames the temp file over the key's path
// and fsyncs the folder. Between (2) and (3), and after a crash there, the old file matches `prev`:
// readers see the old object whole; after (3) the new file matches `cur`. A crash before (2) leaves
// the old sidecar and old file. A reader whose file matches neither entry (two writes passed between
// its open and its sidecar read) opens again; a file that keeps matching neither (restored by a
// copy that changed inodes, edited by hand) is hashed: it takes the metadata of the entry with that
// etag and size, or none, and its sidecar is rewritten (under the lock) so the next read is cheap.
// A delete removes the file, then the sidecar: a sidecar without its file is ignored.
import type { BigIntStats } from 'node:fs';
import type { Described } from './_fs-format.ts';

/** The suffix (after a leading `.`) of a sidecar's name; key segments of that form are reserved. */
export const SIDECAR_SUFFIX = '.fw-meta';

/** Which file an entry describes: changes whenever the file is replaced or written in place. */
export interface FileId { ino: string; size: number; mtimeNs: string }

/** One object: what it is, and the data file that holds its bytes (the first `size` bytes of it). */
export interface Entry extends Described { file: FileId }

/** A sidecar's content. */
export interface Sidecar { format: 2; key: string; cur: Entry; prev?: Entry }

export const fileIdOf = (st: BigIntStats): FileId => ({ ino: st.ino.toString(), size: Number(st.size), mtimeNs: st.mtimeNs.toString() });

export const sameFile = (a: FileId, b: FileId): boolean => a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;

/** The sidecar name of a file name. */
export const sidecarName = (name: string): string => `.${name}${SIDECAR_SUFFIX}`;

/** True for a file or folder name a key may not use because it is (or could shadow) a sidecar. */
export const isSidecarName = (name: string): boolean => name.length > SIDECAR_SUFFIX.length + 1 && name.startsWith('.') && name.endsWith(SIDECAR_SUFFIX);

/** The entry of `sidecar` that describes the file `id`, if any. */
export function entryFor(sidecar: Sidecar | null | undefined, id: FileId): Entry | undefined {
  if (!sidecar) return undefined;
  if (sameFile(sidecar.cur.file, id)) return sidecar.cur;
  if (sidecar.prev && sameFile(sidecar.prev.file, id)) return sidecar.prev;
  return undefined;
}

/** The entry of `sidecar` whose body has this etag and size (a file whose identity changed, same bytes). */
export function entryWithBytes(sidecar: Sidecar | null | undefined, d: Described): Entry | undefined {
  if (!sidecar) return undefined;
  return [sidecar.cur, sidecar.prev].find((e) => e && e.etag === d.etag && e.size === d.size);
}

const isFileId = (v: unknown): v is FileId => {
  const f = v as FileId;
  return !!f && typeof f.ino === 'string' && typeof f.size === 'number' && typeof f.mtimeNs === 'string';
};
const isEntry = (v: unknown): v is Entry => {
  const e = v as Entry;
  return !!e && typeof e.etag === 'string' && typeof e.size === 'number' && isFileId(e.file);
};

/** Parses a sidecar; null for bytes that are not one (then no entry matches and the file is hashed). */
export function parseSidecar(text: string): Sidecar | null {
  try {
    const s = JSON.parse(text) as Sidecar;
    if (s?.format !== 2 || !isEntry(s.cur) || (s.prev !== undefined && !isEntry(s.prev))) return null;
    return s;
  } catch {
    return null;
  }
}

export const encodeSidecar = (s: Sidecar): string => `${JSON.stringify(s, null, 2)}\n`;
