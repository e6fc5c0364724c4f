// The fs driver's change map: `.fw-store/changes`, a file of 8,192 slots of 8 bytes, one slot per key
// hash. After every put or delete of a key has been committed, the writer puts a fresh random number
// into that key's slot (an open, a pwrite of 8 bytes and a close; a store into its mapping where it has
// mapped the file). A reader on Bun maps the file
// shared (`Bun.mmap`) and reads a slot from memory, in nanoseconds: when a slot holds the number it
// held before the reader's last `head` of that key, no write of the key has completed since, so what
// that head saw is still current and the reader needs neither a stat nor a sidecar read. Keys that
// share a slot only cost each other a revalidation. Random numbers rather than a counter: two
// processes incrementing one slot at once can lose an increment and write back a value a reader has
// already seen; a fresh random double repeats an earlier one with a chance of about 2^-52.
//
// Written by hand: no library offers a cross-process change signal cheaper than a syscall (inotify
// events arrive on a later event-loop turn, so a GET right after another replica's publish could miss
// them; a stat per read is what this replaces).
//
// Read only on local filesystems (ext4, xfs, btrfs, tmpfs, ...): the page cache that makes a pwrite in
// one process visible in another's mapping is per machine, so a process that sees the folder over NFS,
// SMB, FUSE or 9p does not read the map and heads instead; it still stamps what it writes, which
// reaches the page cache of the host serving the folder, where a replica on the local disk reads it.
// What is not signalled — a writer that dies between its commit and its stamp, a file replaced by
// hand, a writer that cannot open the map (another Unix user) or that predates it — a reader sees
// only when it trusts a slot no longer: for a bounded time (the registry's `cache.changeMapMaxAge`),
// after which it checks with a `head` again.
import { closeSync, linkSync, mkdirSync, openSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { INTERNAL, tempPath } from './_fs-io.ts';
import { isLocal } from './_fs-sys.ts';

const SLOTS = 8192;
const BYTES = SLOTS * 8;

declare const Bun: { mmap?(path: string, options?: { shared?: boolean }): Uint8Array } | undefined;

/** The change map of one store folder; see the top of this file. */
export interface ChangeMap {
  /** Marks `key` as changed: call after its write or delete was committed. Never throws. */
  note(key: string): void;
  /** The slot of `key` now, or undefined where this process cannot read the map from memory. */
  read(key: string): number | undefined;
}

/** FNV-1a of the key, folded to a slot index. */
function slotOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) & (SLOTS - 1);
}

/**
 * Creates the map file whole (a zero-filled temp file hard-linked into place), unless it exists. The
 * temp file is named as the driver's others are, so the start-up sweep removes one a killed writer left.
 */
function ensureFile(path: string, dir: string): void {
  const tmpDir = join(dir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  const tmp = tempPath(tmpDir);
  writeFileSync(tmp, new Uint8Array(BYTES));
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * The change map of the store folder `root`. Every writer stamps it when it can create or open the
 * file, on any filesystem (a replica writing over NFS still reaches the page cache of the host that
 * serves the folder, where a replica on the local disk reads it); only a process that sees the folder
 * on a local filesystem, on Bun, reads it: elsewhere `read` is always undefined.
 * @example
 * const changes = changeMap('/var/lib/factorywager');
 * const seen = changes.read('packages/p/manifest.json'); // before a head
 * changes.note('packages/p/manifest.json'); // after a committed put
 * `local` decides whether this process reads the map (default: the folder's statfs type).
 */
export function changeMap(root: string, local: (root: string) => boolean = isLocal): ChangeMap {
  const dir = join(root, INTERNAL);
  const path = join(dir, 'changes');
  let state: 'unopened' | 'open' | 'off' = 'unopened';
  let slots: Float64Array | undefined;
  const stamp = new Float64Array(1);
  const stampBytes = new Uint8Array(stamp.buffer);

  const open = (): boolean => {
    if (state !== 'unopened') return state === 'open';
    try {
      mkdirSync(dir); // not recursive: a folder that does not exist yet is asked about again later
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return false;
      if (code !== 'EEXIST') {
        state = 'off'; // read-only, or not ours: a head on every read
        return false;
      }
    }
    state = 'off';
    try {
      ensureFile(path, dir);
      state = 'open';
      if (local(root) && typeof Bun !== 'undefined' && typeof Bun.mmap === 'function') {
        const mapped = Bun.mmap(path, { shared: true });
        if (mapped.byteLength >= BYTES && mapped.byteOffset % 8 === 0) slots = new Float64Array(mapped.buffer, mapped.byteOffset, SLOTS);
      }
    } catch { /* no map to read (stamps are still written while the file opens) */ }
    return state === 'open';
  };

  return {
    note(key) {
      if (!open()) return;
      if (slots) {
        // mapped (local, Bun): a store into the shared page is the write, with no syscall (a pwrite
        // updates the file's times, and on a journaling filesystem that can wait for the journal)
        slots[slotOf(key)] = Math.random();
        return;
      }
      stamp[0] = Math.random();
      // opened per write, not kept: a program may open many stores and never close them
      let fd = -1;
      try {
        fd = openSync(path, 'r+');
        writeSync(fd, stampBytes, 0, 8, slotOf(key) * 8);
      } catch { /* the slot stays as it was: readers revalidate after changeMapMaxAge */ } finally {
        if (fd >= 0) closeSync(fd);
      }
    },
    read(key) {
      if (!open() || !slots) return undefined;
      return slots[slotOf(key)];
    },
  };
}
