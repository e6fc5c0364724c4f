// The on-disk format of one fs-driver object: its bytes, then a JSON trailer (etag, size, content
// type, metadata), then 8 hex digits giving the trailer's length and a 4-byte magic. One file, so one
// rename publishes bytes and metadata together, and head reads only the tail.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { ObjectInfo } from './types.ts';

export const MAGIC = 'FWS1';
export const FOOTER = 12;
export const CHUNK = 1 << 16;

export interface Trailer { etag: string; size: number; contentType?: string; metadata?: Record<string, string> }

/** The bytes appended after an object's body. */
export function encodeTrailer(trailer: Trailer): Buffer {
  const json = Buffer.from(JSON.stringify(trailer), 'utf8');
  return Buffer.concat([json, Buffer.from(json.length.toString(16).padStart(8, '0') + MAGIC, 'latin1')]);
}

/** Reads an object's trailer; a plain file without one is all body, its etag hashed on the fly. */
export async function readTrailer(fh: FileHandle): Promise<Trailer & { mtime: Date }> {
  const st = await fh.stat();
  if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  if (st.size >= FOOTER) {
    const footer = Buffer.alloc(FOOTER);
    await fh.read(footer, 0, FOOTER, st.size - FOOTER);
    const len = Number.parseInt(footer.subarray(0, 8).toString('latin1'), 16);
    if (footer.subarray(8).toString('latin1') === MAGIC && len > 0 && len <= st.size - FOOTER) {
      const json = Buffer.alloc(len);
      await fh.read(json, 0, len, st.size - FOOTER - len);
      try {
        const t = JSON.parse(json.toString('utf8')) as Trailer;
        if (t.size === st.size - FOOTER - len) return { ...t, mtime: st.mtime };
      } catch { /* not ours: fall through */ }
    }
  }
  // a plain file dropped into the folder: its bytes are the object, etag hashed on the fly
  const hash = createHash('sha256');
  for (let at = 0; at < st.size; at += CHUNK) {
    const buf = Buffer.alloc(Math.min(CHUNK, st.size - at));
    await fh.read(buf, 0, buf.length, at);
    hash.update(buf);
  }
  return { etag: `"${hash.digest('hex')}"`, size: st.size, mtime: st.mtime };
}

export function toInfo(key: string, t: Trailer & { mtime: Date }): ObjectInfo {
  const info: ObjectInfo = { key, etag: t.etag, size: t.size, lastModified: t.mtime };
  if (t.contentType !== undefined) info.contentType = t.contentType;
  if (t.metadata !== undefined) info.metadata = { ...t.metadata };
  return info;
}

