// Logic of the r2 driver that the real binding cannot be made to show on demand: R2's error codes,
// and a "slow down" (429, code 10058) on a busy key backed off and retried without losing the write.
// The driver against the real binding runs the contract suite inside workerd (r2-workerd.test.ts).
import { describe, expect, it } from 'vitest';
import { r2Driver, wrapStore, type R2BucketLike, type R2ObjectLike } from '@factorywager/r2-store';
import { r2Error } from '../src/r2-driver.ts';

/** A tiny in-memory stand-in for the binding, whose `put` fails the first `slowDowns` times. */
function fakeBucket(slowDowns: number): R2BucketLike & { puts: number } {
  const objects = new Map<string, { body: Uint8Array; meta: R2ObjectLike }>();
  let n = 0;
  const bucket = {
    puts: 0,
    async head(key: string) { return objects.get(key)?.meta ?? null; },
    async get(key: string) {
      const o = objects.get(key);
      return o ? { ...o.meta, body: new Blob([o.body as BlobPart]).stream(), arrayBuffer: async () => o.body.slice().buffer as ArrayBuffer } : null;
    },
    async put(key: string, value: ReadableStream<Uint8Array> | Uint8Array | string, options: { onlyIf?: { etagMatches?: string; etagDoesNotMatch?: string } } = {}) {
      bucket.puts++;
      if (slowDowns-- > 0) throw new Error('put: Reduce your concurrent request rate for the same object. (10058)');
      const current = objects.get(key);
      if (options.onlyIf?.etagDoesNotMatch === '*' && current) return null;
      if (options.onlyIf?.etagMatches !== undefined && current?.meta.etag !== options.onlyIf.etagMatches) return null;
      const body = typeof value === 'string' ? new TextEncoder().encode(value) : value as Uint8Array;
      const etag = `e${++n}`;
      const meta: R2ObjectLike = { key, size: body.byteLength, etag, httpEtag: `"${etag}"`, uploaded: new Date() };
      objects.set(key, { body, meta });
      return meta;
    },
    async delete() {},
    async list() { return { objects: [], truncated: false, delimitedPrefixes: [] }; },
    async createMultipartUpload(): Promise<never> { throw new Error('not in this fake'); },
  };
  return bucket;
}

describe('r2 driver errors', () => {
  it('maps R2 error codes to StoreError codes', () => {
    expect(r2Error('k', new Error('put: Reduce your concurrent request rate for the same object. (10058)')).code).toBe('UNAVAILABLE');
    expect(r2Error('k', new Error('get: We encountered an internal error. Please try again. (10001)')).code).toBe('UNAVAILABLE');
    expect(r2Error('k', new Error('put: Access Denied (10003)')).code).toBe('INVALID_CONFIG');
    expect(r2Error('k', new Error('put: The specified bucket does not exist. (10006)')).code).toBe('INVALID_CONFIG');
    expect(r2Error('k', new Error('put: At least one of the pre-conditions you specified did not hold. (10031)')).code).toBe('PRECONDITION_FAILED');
    expect(r2Error('k', new Error('put: something else (10999)')).code).toBe('INTERNAL');
  });

  it('backs off on 10058 and lands the update (updateJson), no write lost', async () => {
    const bucket = fakeBucket(3);
    const store = wrapStore(r2Driver(bucket));
    const r = await store.updateJson<{ n: number }>('hot.json', (cur) => ({ n: (cur?.n ?? 0) + 1 }), { backoffMs: 1 });
    expect(r.written).toBe(true);
    expect(bucket.puts).toBe(4);
    expect(await store.getJson('hot.json')).toEqual({ n: 1 });
  });

  it('refuses a missing binding, naming wrangler.toml', () => {
    expect(() => r2Driver(undefined as never)).toThrow(/R2 binding is missing.*wrangler\.toml/);
  });
});
