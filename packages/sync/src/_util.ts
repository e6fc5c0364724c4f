import { createHash } from 'node:crypto';
import type { ListOptions, ObjectInfo, Store } from '@factorywager/r2-store';

/** The metadata entry that carries an object's sha256 at the target (S3 lower-cases metadata names). */
export const HASH_META = 'fw-sha256';

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/** Every key under the prefixes, all pages. */
export async function listAll(store: Store, prefixes: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const prefix of prefixes) {
    let cursor: string | undefined;
    do {
      const opts: ListOptions = { prefix, limit: 1000, ...(cursor ? { cursor } : {}) };
      const page = await store.list(opts);
      out.push(...page.keys);
      cursor = page.cursor;
    } while (cursor);
  }
  return out;
}

/** An object of the source with its content hash. */
export interface LocalObject {
  key: string;
  hash: string;
  size: number;
  contentType?: string;
}

/**
 * The source object's sha256: free on the fs driver (its etag is the sha256 of the bytes), else read.
 * Null when the object vanished since the listing.
 */
export async function localObject(store: Store, key: string): Promise<LocalObject | null> {
  const info = await store.head(key);
  if (!info) return null;
  const m = store.name === 'fs' ? /^"?([0-9a-f]{64})"?$/.exec(info.etag) : null;
  let hash = m?.[1];
  if (!hash) {
    const obj = await store.get(key);
    if (!obj) return null;
    hash = sha256(obj.body);
  }
  return { key, hash, size: info.size, ...(info.contentType ? { contentType: info.contentType } : {}) };
}

/**
 * Whether the target's object has the given content: by the hash the sync stored with it, else by
 * an MD5 etag (a single-part S3 upload), else by reading it.
 */
export async function sameContent(target: Store, info: ObjectInfo, local: LocalObject, localBody: () => Promise<Uint8Array | null>): Promise<boolean> {
  const stored = info.metadata?.[HASH_META];
  if (stored) return stored === local.hash;
  if (info.size !== local.size) return false;
  const etag = /^"?([0-9a-f]{32})"?$/.exec(info.etag)?.[1];
  if (etag) {
    const body = await localBody();
    return body !== null && md5(body) === etag;
  }
  const remote = await target.get(info.key);
  return remote !== null && sha256(remote.body) === local.hash;
}

/**
 * Runs `fn` over `items`, at most `limit` at a time. The first failure stops new work; the ones in
 * flight finish, then it is thrown. (A dozen lines: no dependency needed for a bounded pool.)
 */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
}
