// The format older fs-driver folders used, read (never written) so that they keep working until
// their objects are rewritten plain: the object's bytes, then a JSON trailer (etag, size, content
// type, metadata), then 8 hex digits giving the trailer's length and the 4-byte magic `FWS1`.
import { createHash } from 'node:crypto';
import type { Handle as FileHandle } from './_fs-sys.ts';

export const MAGIC = 'FWS1';
export const FOOTER = 12;
export const CHUNK = 1 << 16;

/** What an object is, apart from where its bytes sit: the body's etag and size, its content type and metadata. */
export interface Described { etag: string; size: number; contentType?: string; metadata?: Record<string, string> }

/**
 * The trailer of a file of `fileSize` bytes in the old format, or null when the file has none
 * (a plain file). The body is then the file's first `size` bytes.
 */
export async function readTrailer(fh: FileHandle, fileSize: number): Promise<Described | null> {
  if (fileSize < FOOTER) return null;
  const footer = Buffer.alloc(FOOTER);
  await fh.read(footer, 0, FOOTER, fileSize - FOOTER);
  const len = Number.parseInt(footer.subarray(0, 8).toString('latin1'), 16);
  if (footer.subarray(8).toString('latin1') !== MAGIC || !(len > 0 && len <= fileSize - FOOTER)) return null;
  const json = Buffer.alloc(len);
  await fh.read(json, 0, len, fileSize - FOOTER - len);
  try {
    const t = JSON.parse(json.toString('utf8')) as Described;
    if (typeof t.etag !== 'string' || t.size !== fileSize - FOOTER - len) return null;
    const out: Described = { etag: t.etag, size: t.size };
    if (typeof t.contentType === 'string') out.contentType = t.contentType;
    if (t.metadata && typeof t.metadata === 'object') out.metadata = t.metadata;
    return out;
  } catch {
    return null; // bytes that only look like a trailer: a plain file
  }
}

/** The etag of the first `size` bytes of a file: the quoted SHA-256 hex, as every put computes it. */
export async function hashFile(fh: FileHandle, size: number): Promise<string> {
  const hash = createHash('sha256');
  for (let at = 0; at < size; at += CHUNK) {
    const buf = Buffer.alloc(Math.min(CHUNK, size - at));
    const { bytesRead } = await fh.read(buf, 0, buf.length, at);
    if (bytesRead === 0) break;
    hash.update(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
  }
  return `"${hash.digest('hex')}"`;
}
