import { StoreError } from './errors.ts';
import type { ObjectInfo, ObjectStore, PutOptions, StoredObject } from './types.ts';
import { bodyToBytes, compareKeys, listPage, sha256Etag } from './_util.ts';
import { validateKey, validatePrefix } from './validate-key.ts';

interface Entry extends StoredObject {}

/**
 * An in-memory driver for tests and ephemeral use. Conditional puts are checked and applied in one
 * synchronous step, so check-and-set is atomic within the process. Holds every byte in memory.
 * @example
 * const store = createStore({ driver: 'memory' });   // or wrap memoryDriver() yourself
 * await memoryDriver().put('a/b.json', '{}', { ifNoneMatch: '*' });
 */
export function memoryDriver(): ObjectStore {
  const objects = new Map<string, Entry>();
  let sorted: string[] | undefined;
  // changeStamp: the number of the last write of each key written (all in this process, so exact)
  const written = new Map<string, number>();
  let writes = 0;
  const changed = (key: string) => written.set(key, ++writes);

  const info = (e: Entry): ObjectInfo => {
    const out: ObjectInfo = { key: e.key, etag: e.etag, size: e.size, lastModified: e.lastModified };
    if (e.contentType !== undefined) out.contentType = e.contentType;
    if (e.metadata !== undefined) out.metadata = { ...e.metadata };
    return out;
  };

  const check = (key: string, options: PutOptions) => {
    const current = objects.get(key);
    if (options.ifNoneMatch === '*' && current) {
      throw new StoreError('PRECONDITION_FAILED', `object exists: ${key}`, { key });
    }
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) {
      throw new StoreError('PRECONDITION_FAILED', `etag mismatch: ${key}`, { key });
    }
  };

  return {
    name: 'memory',
    async get(key) {
      validateKey(key);
      const e = objects.get(key);
      return e ? { ...info(e), body: e.body.slice() } : null;
    },
    async getStream(key) {
      validateKey(key);
      const e = objects.get(key);
      if (!e) return null;
      const body = e.body;
      const chunk = 1 << 16;
      let at = 0;
      return {
        ...info(e),
        body: new ReadableStream<Uint8Array>({
          pull(controller) {
            if (at >= body.byteLength) return controller.close();
            controller.enqueue(body.slice(at, at + chunk));
            at += chunk;
          },
        }),
      };
    },
    async head(key) {
      validateKey(key);
      const e = objects.get(key);
      return e ? info(e) : null;
    },
    async put(key, body, options = {}) {
      validateKey(key);
      check(key, options); // fail early, before reading a body
      const read = await bodyToBytes(body);
      const bytes = read === body ? read.slice() : read; // keep no alias of the caller's array
      const etag = await sha256Etag(bytes);
      check(key, options); // and again in the same synchronous step as the write
      const entry: Entry = { key, etag, size: bytes.byteLength, lastModified: new Date(), body: bytes };
      if (options.contentType !== undefined) entry.contentType = options.contentType;
      if (options.metadata !== undefined) entry.metadata = { ...options.metadata };
      if (!objects.has(key)) sorted = undefined;
      objects.set(key, entry);
      changed(key);
      return { key, etag };
    },
    async delete(key) {
      validateKey(key);
      if (objects.delete(key)) sorted = undefined;
      changed(key);
    },
    async deleteMany(keys) {
      keys.forEach(validateKey);
      for (const key of keys) {
        if (objects.delete(key)) sorted = undefined;
        changed(key);
      }
    },
    changeStamp: (key) => written.get(key) ?? 0,
    async list(options = {}) {
      validatePrefix(options.prefix);
      sorted ??= [...objects.keys()].sort(compareKeys);
      return listPage(sorted, options);
    },
  };
}
