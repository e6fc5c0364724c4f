// Internal helpers shared by the drivers. Web APIs only (no node: imports) so drivers run on Workers.
import { StoreError } from './errors.ts';
import type { ListOptions, ListResult, PutBody } from './types.ts';

const encoder = new TextEncoder();

/** Reads a PutBody whole into bytes. */
export async function bodyToBytes(body: PutBody): Promise<Uint8Array> {
  if (typeof body === 'string') return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  return concat(chunks, size);
}

export function concat(chunks: Uint8Array[], size = chunks.reduce((n, c) => n + c.byteLength, 0)): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** A quoted SHA-256 hex of the bytes, via Web Crypto. */
export async function sha256Etag(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return `"${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')}"`;
}

/** Orders keys as S3 does: by UTF-8 bytes, which is code-point order (not UTF-16 unit order). */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1; // a surrogate pair encodes a code point above every BMP one
    return x - y;
  }
  return a.length - b.length;
}

/** Splits a cursor produced by {@link listPage}. */
function decodeCursor(cursor: string | undefined): { after: string; skipPrefix: boolean } | undefined {
  if (!cursor) return undefined;
  const kind = cursor[0];
  if (kind !== 'k' && kind !== 'p') throw new StoreError('INVALID_KEY', `invalid list cursor ${JSON.stringify(cursor)}`);
  return { after: cursor.slice(1), skipPrefix: kind === 'p' };
}

/**
 * S3 ListObjectsV2 semantics over sorted keys (sorted with {@link compareKeys}): prefix filter,
 * common prefixes for a delimiter (each counts once towards the limit), an opaque cursor.
 */
export function listPage(sorted: readonly string[], options: ListOptions = {}): ListResult {
  const prefix = options.prefix ?? '';
  const delimiter = options.delimiter || undefined;
  const limit = Math.max(1, Math.min(1000, options.limit ?? 1000));
  const cursor = decodeCursor(options.cursor);
  const keys: string[] = [];
  const prefixes: string[] = [];
  let lastEntry: string | undefined;
  let i = lowerBound(sorted, cursor ? cursor.after : prefix);
  for (; i < sorted.length; i++) {
    const key = sorted[i]!;
    if (!key.startsWith(prefix)) {
      if (compareKeys(key, prefix) > 0) break;
      continue;
    }
    if (cursor) {
      if (compareKeys(key, cursor.after) <= 0) continue;
      if (cursor.skipPrefix && key.startsWith(cursor.after)) continue;
    }
    if (keys.length + prefixes.length >= limit) {
      return { keys, prefixes, cursor: lastEntry };
    }
    const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (at >= 0) {
      const common = key.slice(0, at + delimiter!.length);
      if (prefixes[prefixes.length - 1] !== common) prefixes.push(common);
      lastEntry = `p${common}`;
      // skip the rest of this common prefix
      while (i + 1 < sorted.length && sorted[i + 1]!.startsWith(common)) i++;
    } else {
      keys.push(key);
      lastEntry = `k${key}`;
    }
  }
  return { keys, prefixes };
}

function lowerBound(sorted: readonly string[], target: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(sorted[mid]!, target) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
