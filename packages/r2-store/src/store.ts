import { StoreError, isStoreError } from './errors.ts';
import type { ObjectStore, PutOptions, Store, UpdateJsonOptions, UpdateJsonResult } from './types.ts';
import { sleep } from './_util.ts';

const decoder = new TextDecoder();
// Caps of the jittered back-off: a lost race means someone else just committed, so retry soon;
// UNAVAILABLE includes R2's 429 for more than about one write per second to a key, so wait longer.
const MAX_CONFLICT_BACKOFF_MS = 250;
const DEFAULT_RETRIES = 50;
const MAX_UNAVAILABLE_BACKOFF_MS = 2000;

/** Carries what `fn` threw past the retry loop's catch. */
class FromFn {
  constructor(readonly error: unknown) {}
}

/**
 * Wraps any driver with the JSON helpers and the one check-and-set loop (`updateJson`).
 * Web APIs only, so it runs on Workers with the memory or s3 driver.
 * @example
 * const store = wrapStore(memoryDriver());
 * await store.updateJson<{ n: number }>('counter.json', (cur) => ({ n: (cur?.n ?? 0) + 1 }));
 */
export function wrapStore(driver: ObjectStore): Store {
  const getText = async (key: string) => {
    const obj = await driver.get(key);
    return obj ? decoder.decode(obj.body) : null;
  };
  const parse = <T>(key: string, text: string): T => {
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new StoreError('INVALID_JSON', `object ${key} is not valid JSON`, { key, cause });
    }
  };
  const getJsonWithEtag = async <T>(key: string) => {
    const obj = await driver.get(key);
    return obj ? { value: parse<T>(key, decoder.decode(obj.body)), etag: obj.etag } : null;
  };
  const putJson = (key: string, value: unknown, options: PutOptions = {}) => {
    const text = JSON.stringify(value);
    if (text === undefined) throw new StoreError('INVALID_JSON', `value for ${key} is not JSON-serialisable`, { key });
    return driver.put(key, text, { contentType: 'application/json', ...options });
  };

  async function updateJson<T>(
    key: string,
    fn: (current: T | null) => T | undefined | Promise<T | undefined>,
    options: UpdateJsonOptions<T> = {},
  ): Promise<UpdateJsonResult<T>> {
    const attempts = Math.max(1, options.retries ?? DEFAULT_RETRIES);
    const base = Math.max(1, options.backoffMs ?? 10);
    let conflicts = 0;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        // full jitter: uniform in [0, min(cap, base * 2^attempt)]
        const cap = isStoreError(lastError, 'UNAVAILABLE') ? MAX_UNAVAILABLE_BACKOFF_MS : MAX_CONFLICT_BACKOFF_MS;
        await sleep(Math.random() * Math.min(cap, base * 2 ** attempt));
      }
      try {
        const known = attempt === 0 ? options.known : null;
        const current = known && (await driver.head(key))?.etag === known.etag ? known : await getJsonWithEtag<T>(key);
        const next = await Promise.resolve(current ? current.value : null).then(fn).catch((err: unknown) => {
          throw new FromFn(err);
        });
        if (next === undefined) {
          return { value: current ? current.value : null, etag: current ? current.etag : null, written: false, conflicts };
        }
        const put = await putJson(key, next, {
          ...(current ? { ifMatch: current.etag } : { ifNoneMatch: '*' as const }),
          ...(options.contentType ? { contentType: options.contentType } : {}),
        });
        return { value: next, etag: put.etag, written: true, conflicts };
      } catch (err) {
        if (err instanceof FromFn) throw err.error; // fn's own failure, even a StoreError, is never retried
        if (isStoreError(err, 'PRECONDITION_FAILED')) conflicts++;
        else if (!isStoreError(err, 'UNAVAILABLE')) throw err;
        lastError = err;
      }
    }
    // a store that stayed unavailable is not a conflict: keep the code callers map to "try later"
    const code = isStoreError(lastError, 'UNAVAILABLE') ? 'UNAVAILABLE' : 'CONFLICT';
    throw new StoreError(code, `updateJson of ${key} gave up after ${attempts} attempts (${conflicts} conflicts)`, {
      key,
      cause: lastError,
    });
  }

  return {
    name: driver.name,
    driver,
    get: (key) => driver.get(key),
    getStream: (key) => driver.getStream(key),
    head: (key) => driver.head(key),
    put: (key, body, options) => driver.put(key, body, options),
    delete: (key) => driver.delete(key),
    deleteMany: (keys) => driver.deleteMany(keys),
    list: (options) => driver.list(options),
    ...(driver.changeStamp ? { changeStamp: (key: string) => driver.changeStamp!(key) } : {}),
    close: async () => {
      await driver.close?.();
    },
    getText,
    getJson: async <T>(key: string) => (await getJsonWithEtag<T>(key))?.value ?? null,
    getJsonWithEtag,
    putJson,
    updateJson,
  };
}
