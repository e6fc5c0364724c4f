// The filesystem calls of the fs driver: the subset of `node:fs/promises` it uses, with the calls that
// only read made on the calling thread where that is cheap and safe, and the rest on the thread pool.
//
// Why not `node:fs/promises` alone: every promise call is a round trip to the thread pool, and in
// Bun 1.4 that costs far more CPU than the call itself on a local filesystem, where a read is
// answered from the page cache (measured here, per call: a stat 2.5 µs on the thread vs 33 µs through
// the pool, an open and close 3.4 vs 106 µs, a small readFile 4.7 vs 60 µs). A head is two such calls,
// a get four or five, and a put reads the object in place twice.
// Calls that change the filesystem (create, write, rename, link, unlink, mkdir) stay on the pool: on a
// journaling filesystem they may wait for the journal, which is committing all the time while
// writers fsync, and on the thread such a wait holds up every request (measured: renames on the
// thread took 156 µs at the median and up to 16 ms under four parallel writers). `fsync` waits on the
// disk and always goes to the pool; so does every call under a folder that is not on a local
// filesystem (NFS, SMB, FUSE: a read there can wait for a network round trip).
//
// A run of calls on the thread never yields to the event loop (their promises resolve as
// microtasks), so each event-loop turn has a budget: past it, calls go to the pool until the next
// turn, and a long walk or a burst of reads cannot hold up requests by more than about a millisecond.
// Written by hand: no library chooses between the two forms of a call.
import * as fs from 'node:fs';
import type { BigIntStats, Dirent } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';

// statfs f_type of filesystems whose page cache every process of the machine shares (linux/magic.h).
const LOCAL_FILESYSTEMS = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0x858458f6, // ramfs
  0x2fc12fc1, // zfs
  0x794c7630, // overlayfs
  0xf2f52010, // f2fs
  0xca451a4e, // bcachefs
  0x52654973, // reiserfs
  0x3153464a, // jfs
]);

/** True when `path` (or, while it does not exist, its nearest existing folder) is on a local filesystem. */
export function isLocal(path: string): boolean {
  for (let at = resolve(path); ; at = dirname(at)) {
    try {
      return LOCAL_FILESYSTEMS.has(Number(fs.statfsSync(at).type));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) return false;
    }
  }
}

/** Folders whose calls may run on the thread, longest first. */
const inline: string[] = [];

/** Lets calls under `root` run on the calling thread (see the top of this file). */
export function inlineCallsUnder(root: string): void {
  const prefix = resolve(root) + sep;
  if (inline.includes(prefix)) return;
  inline.push(prefix);
  inline.sort((a, b) => b.length - a.length);
}

const isInline = (path: string): boolean => {
  for (const prefix of inline) if (path.startsWith(prefix)) return true;
  return false;
};

/** Calls (weighted by size) that may run on the thread in one event-loop turn. */
const BUDGET = 256;
let spent = 0;
let resetting = false;
const reset = () => { spent = 0; resetting = false; };

/** Takes `cost` from this turn's budget: false when it is used up. */
function spend(cost: number): boolean {
  if (!resetting) {
    resetting = true;
    setImmediate(reset);
  }
  spent += cost;
  return spent <= BUDGET;
}

/** Bytes per unit of budget: a 64 KiB read or write costs about as much as a metadata call more. */
const UNIT = 1 << 16;

function call<T>(here: boolean, cost: number, now: () => T, later: () => Promise<T>): Promise<T> {
  if (here && spend(cost)) {
    try {
      return Promise.resolve(now());
    } catch (err) {
      return Promise.reject(err);
    }
  }
  return later();
}

const viaPool = <T>(start: (done: (err: NodeJS.ErrnoException | null, value: T) => void) => void) =>
  new Promise<T>((ok, fail) => start((err, value) => (err ? fail(err) : ok(value))));

/** Reads longer than this go to the pool even where reads are made on the thread. */
const INLINE_READ_MAX = 256 * 1024;

// A descriptor whose Handle was dropped unclosed (a stream neither read to its end nor cancelled) is
// closed when the Handle is collected, as Node does for a FileHandle.
const unclosed = new FinalizationRegistry<number>((fd) => fs.close(fd, () => {}));

/**
 * An open file: the methods of a `FileHandle` the driver uses. As a FileHandle's, `close` waits for
 * the calls on the pool that are still running: the descriptor's number is not given to another
 * file while one of them may still use it.
 */
export class Handle {
  private closing: Promise<void> | undefined;
  private running = 0;
  private drained: (() => void) | undefined;
  constructor(readonly fd: number, private readonly here: boolean) {
    unclosed.register(this, fd, this);
  }

  /** Runs a call on the pool, counted so that `close` waits for it. */
  private pooled<T>(start: (done: (err: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
    this.running++;
    return viaPool(start).finally(() => {
      if (--this.running === 0) this.drained?.();
    });
  }

  stat(_options?: { bigint: true }): Promise<BigIntStats> {
    return call(this.here, 1, () => fs.fstatSync(this.fd, { bigint: true }), () => this.pooled<BigIntStats>((cb) => fs.fstat(this.fd, { bigint: true }, cb as never)));
  }

  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    return call(this.here && length <= INLINE_READ_MAX, 1 + length / UNIT,
      () => ({ bytesRead: fs.readSync(this.fd, buffer, offset, length, position) }),
      () => this.pooled<number>((cb) => fs.read(this.fd, buffer, offset, length, position, cb)).then((bytesRead) => ({ bytesRead })));
  }

  /** Writes all of `data` at the file's position (on the pool: see the top of this file). */
  async write(data: Uint8Array): Promise<void> {
    for (let at = 0; at < data.byteLength;) {
      const rest = data.subarray(at);
      at += await this.pooled<number>((cb) => fs.write(this.fd, rest, cb));
    }
  }

  /**
   * Writes `text` as UTF-8 at the file's position, without making its bytes on the JS heap; resolves
   * its length in bytes. A short write (rare for a file) writes the rest from the bytes.
   */
  async writeText(text: string): Promise<number> {
    const size = Buffer.byteLength(text, 'utf8');
    const written = await this.pooled<number>((cb) => fs.write(this.fd, text, null, 'utf8', cb));
    if (written < size) await this.write(Buffer.from(text, 'utf8').subarray(written));
    return size;
  }

  async writeFile(data: string | Uint8Array): Promise<void> {
    if (typeof data === 'string') await this.writeText(data);
    else await this.write(data);
  }

  /** Always on the pool: it waits for the disk. */
  sync(): Promise<void> {
    return this.pooled<void>((cb) => fs.fsync(this.fd, cb as never));
  }

  close(): Promise<void> {
    this.closing ??= (this.running === 0 ? Promise.resolve() : new Promise<void>((ok) => { this.drained = ok; })).then(() => {
      unclosed.unregister(this);
      return call(this.here, 1, () => fs.closeSync(this.fd), () => viaPool<void>((cb) => fs.close(this.fd, cb as never)));
    });
    return this.closing;
  }
}

/** Opens a file: to read (`r`, on the thread where it may be) or to create (`wx`, on the pool; its handle's stat and close on the thread). */
export function open(path: string, flags: 'r' | 'wx'): Promise<Handle> {
  const here = isInline(path);
  if (flags === 'wx') return viaPool<number>((cb) => fs.open(path, flags, cb)).then((fd) => new Handle(fd, here));
  return call(here, 1, () => new Handle(fs.openSync(path, flags), true),
    () => viaPool<number>((cb) => fs.open(path, flags, cb)).then((fd) => new Handle(fd, here)));
}

export function readFile(path: string, encoding: 'utf8'): Promise<string> {
  return call(isInline(path), 2, () => fs.readFileSync(path, encoding), () => fsp.readFile(path, encoding));
}

// Calls that change the filesystem: on the pool (see the top of this file). Bun's writeFile opens,
// writes and closes in one task on the pool, where a handle's open, write and close are three.
export const writeFile = (path: string, data: string | Uint8Array, options: { flag: 'wx' }): Promise<void> => fsp.writeFile(path, data, options);

// O_DSYNC, where the platform has it (not on Windows): each write returns once its bytes, and what
// reading them back needs (the file's size), are on disk, as after an fdatasync.
const { O_WRONLY, O_CREAT, O_EXCL, O_DSYNC } = fs.constants;

/**
 * Creates `path` (EEXIST when it exists) holding `data`, on disk when this resolves: one task on the
 * pool where O_DSYNC exists, against four round trips for open, write, fsync and close.
 */
export async function writeNewDurable(path: string, data: string | Uint8Array): Promise<void> {
  if (O_DSYNC !== undefined) return fsp.writeFile(path, data, { flag: O_WRONLY | O_CREAT | O_EXCL | O_DSYNC });
  const fh = await open(path, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs the file or folder at `path` (through a descriptor opened to read: fsync flushes the file, whoever wrote it). */
export async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export function stat(path: string, options: { bigint: true }): Promise<BigIntStats>;
export function stat(path: string): Promise<fs.Stats>;
export function stat(path: string, options?: { bigint: true }): Promise<BigIntStats | fs.Stats> {
  const o = options ?? { bigint: false };
  return call(isInline(path), 1, () => fs.statSync(path, o), () => fsp.stat(path, o));
}

export const unlink = (path: string): Promise<void> => fsp.unlink(path);
export const rmdir = (path: string): Promise<void> => fsp.rmdir(path);
export const mkdir = (path: string, options: { recursive: true }): Promise<unknown> => fsp.mkdir(path, options);
export const rename = (from: string, to: string): Promise<void> => fsp.rename(from, to);
export const link = (existing: string, path: string): Promise<void> => fsp.link(existing, path);

export function readdir(path: string): Promise<string[]>;
export function readdir(path: string, options: { withFileTypes: true }): Promise<Dirent[]>;
export function readdir(path: string, options?: { withFileTypes: true }): Promise<string[] | Dirent[]> {
  return call(isInline(path), 4, () => (options ? fs.readdirSync(path, options) : fs.readdirSync(path)),
    () => (options ? fsp.readdir(path, options) : fsp.readdir(path)));
}
