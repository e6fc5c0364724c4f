import { StoreError } from './errors.ts';
import { partReader } from './_part-reader.ts';
import type { ObjectInfo, ObjectStore, PutBody, PutOptions } from './types.ts';
import { validateKey, validatePrefix } from './validate-key.ts';

// The parts of the Workers R2 binding (`env.BUCKET`, an R2Bucket) this driver uses, typed here so the
// package needs no @cloudflare/workers-types. Structural: the real binding and miniflare's satisfy it.

/** An R2 object's metadata, as the binding returns it. */
export interface R2ObjectLike {
  key: string;
  size: number;
  etag: string;
  httpEtag: string;
  uploaded: Date;
  httpMetadata?: { contentType?: string };
  customMetadata?: Record<string, string>;
}

/** An R2 object with its body. */
export interface R2ObjectBodyLike extends R2ObjectLike {
  body: ReadableStream<Uint8Array>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** `onlyIf` of the binding's `put`. */
export interface R2ConditionalLike {
  etagMatches?: string;
  etagDoesNotMatch?: string;
}

/** An upload in progress of the binding's multipart API. */
export interface R2MultipartUploadLike {
  uploadPart(partNumber: number, value: Uint8Array): Promise<{ partNumber: number; etag: string }>;
  complete(parts: { partNumber: number; etag: string }[]): Promise<R2ObjectLike>;
  abort(): Promise<void>;
}

/**
 * The Workers R2 binding (the `R2Bucket` of `[[r2_buckets]]` in wrangler.toml), as far as
 * {@link r2Driver} uses it.
 * @example
 * export default { fetch: (req: Request, env: { BUCKET: R2BucketLike }) => handle(r2Driver(env.BUCKET), req) };
 */
export interface R2BucketLike {
  head(key: string): Promise<R2ObjectLike | null>;
  get(key: string): Promise<R2ObjectBodyLike | null>;
  put(key: string, value: ReadableStream<Uint8Array> | Uint8Array | string, options?: {
    onlyIf?: R2ConditionalLike;
    httpMetadata?: { contentType?: string };
    customMetadata?: Record<string, string>;
  }): Promise<R2ObjectLike | null>;
  delete(keys: string | string[]): Promise<void>;
  list(options?: {
    prefix?: string; cursor?: string; delimiter?: string; limit?: number;
    include?: Array<'httpMetadata' | 'customMetadata'>;
  }): Promise<{ objects: R2ObjectLike[]; truncated: boolean; cursor?: string; delimitedPrefixes: string[] }>;
  createMultipartUpload(key: string, options?: {
    httpMetadata?: { contentType?: string };
    customMetadata?: Record<string, string>;
  }): Promise<R2MultipartUploadLike>;
}

/**
 * Options of {@link r2Driver}.
 * @example
 * const options: R2DriverOptions = { prefix: 'registry/', partSize: 8 * 1024 * 1024 };
 */
export interface R2DriverOptions {
  /** Key prefix inside the bucket, e.g. `registry/`. */
  prefix?: string;
  /** Part size for streams of unknown length (multipart upload); default 5 MiB (the least R2 takes: the least memory per upload). */
  partSize?: number;
}

const encoder = new TextEncoder();
const MiB = 1024 * 1024;
// What R2's codes at the end of a binding error's message mean (developers.cloudflare.com/r2/api/error-codes).
const TRANSIENT = new Set([10001, 10043, 10054, 10058]); // internal error, unavailable, client disconnect, too many requests on one object
const CONFIG = new Set([10002, 10003, 10006, 10042]); // unauthorized, access denied, no such bucket, not entitled

/** Maps an error thrown by the binding to a StoreError. @internal */
export function r2Error(key: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const message = (err as Error)?.message ?? String(err);
  const code = Number(/\((\d{5})\)\s*$/.exec(message)?.[1] ?? Number.NaN);
  if (code === 10031 || /pre-?condition/i.test(message)) return new StoreError('PRECONDITION_FAILED', `precondition failed: ${key}`, { key, cause: err });
  if (CONFIG.has(code)) return new StoreError('INVALID_CONFIG', `R2 refused ${key}: ${message}`, { key, cause: err });
  if (TRANSIENT.has(code) || /too many requests|reduce your|network connection lost|internal error|unavailable/i.test(message)) {
    return new StoreError('UNAVAILABLE', `R2 unavailable for ${key}: ${message}`, { key, cause: err });
  }
  return new StoreError('INTERNAL', `R2 error for ${key}: ${message}`, { key, cause: err });
}

const unquote = (etag: string) => etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');

/**
 * A driver over the Workers R2 binding: the store of the registry on Cloudflare Workers, with no S3
 * credentials and no HTTP signing. Conditional puts map to the binding's `onlyIf`
 * (`etagMatches` / `etagDoesNotMatch: '*'`), which R2 applies atomically; etags are the quoted
 * `httpEtag`, as the S3 API gives them. Bytes, strings and streams of known length (`options.size`,
 * sent through a FixedLengthStream) go up in one put; a stream of unknown length goes up as a
 * multipart upload with one part buffered at a time (then, as in the s3 driver, a condition is checked
 * with a head before the upload, because multipart completion takes no condition).
 * @example
 * // in a Worker: export default { fetch: (req, env) => handler(wrapStore(r2Driver(env.BUCKET)))(req) }
 * const store = wrapStore(r2Driver(env.BUCKET));
 * await store.put('packages/p/p-1.0.0.tgz', bytes, { ifNoneMatch: '*' });
 */
export function r2Driver(bucket: R2BucketLike, options: R2DriverOptions = {}): ObjectStore {
  if (!bucket || typeof bucket.put !== 'function' || typeof bucket.list !== 'function') {
    throw new StoreError('INVALID_CONFIG', 'r2 store: the R2 binding is missing (add [[r2_buckets]] to wrangler.toml and pass env.<binding>)');
  }
  const keyPrefix = options.prefix ? options.prefix.replace(/\/?$/, '/') : '';
  const partSize = Math.max(5 * MiB, options.partSize ?? 5 * MiB);
  const full = (key: string) => keyPrefix + validateKey(key);

  const info = (key: string, o: R2ObjectLike): ObjectInfo => {
    const out: ObjectInfo = { key, etag: o.httpEtag || `"${o.etag}"`, size: o.size, lastModified: new Date(o.uploaded) };
    if (o.httpMetadata?.contentType) out.contentType = o.httpMetadata.contentType;
    if (o.customMetadata && Object.keys(o.customMetadata).length > 0) out.metadata = { ...o.customMetadata };
    return out;
  };

  const call = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw r2Error(key, err);
    }
  };

  const conditionOf = (opts: PutOptions): R2ConditionalLike | undefined => {
    if (opts.ifNoneMatch === '*') return { etagDoesNotMatch: '*' };
    if (opts.ifMatch !== undefined) return { etagMatches: unquote(opts.ifMatch) };
    return undefined;
  };

  async function head(key: string): Promise<ObjectInfo | null> {
    const o = await call(key, () => bucket.head(full(key)));
    return o ? info(key, o) : null;
  }

  async function putWhole(key: string, value: Uint8Array | string | ReadableStream<Uint8Array>, opts: PutOptions) {
    const onlyIf = conditionOf(opts);
    const o = await call(key, () => bucket.put(full(key), value, {
      ...(onlyIf ? { onlyIf } : {}),
      ...(opts.contentType ? { httpMetadata: { contentType: opts.contentType } } : {}),
      ...(opts.metadata ? { customMetadata: opts.metadata } : {}),
    }));
    if (!o) throw new StoreError('PRECONDITION_FAILED', `${opts.ifNoneMatch ? 'object exists' : 'etag mismatch'}: ${key}`, { key });
    return { key, etag: o.httpEtag || `"${o.etag}"` };
  }

  async function putStream(key: string, body: ReadableStream<Uint8Array>, opts: PutOptions) {
    const reader = partReader(body, partSize);
    const { part } = reader;
    let n = await reader.fill();
    if (!(await reader.more())) return putWhole(key, part.slice(0, n), opts); // fits in one part: one conditional put
    if (opts.ifMatch !== undefined || opts.ifNoneMatch === '*') {
      const current = await head(key);
      if (opts.ifNoneMatch === '*' && current) throw new StoreError('PRECONDITION_FAILED', `object exists: ${key}`, { key });
      if (opts.ifMatch !== undefined && current?.etag !== opts.ifMatch) throw new StoreError('PRECONDITION_FAILED', `etag mismatch: ${key}`, { key });
    }
    const upload = await call(key, () => bucket.createMultipartUpload(full(key), {
      ...(opts.contentType ? { httpMetadata: { contentType: opts.contentType } } : {}),
      ...(opts.metadata ? { customMetadata: opts.metadata } : {}),
    }));
    const parts: { partNumber: number; etag: string }[] = [];
    try {
      for (let partNumber = 1; n > 0; partNumber++) {
        // R2 wants every part but the last of one size: `part` is always full here except at the end
        parts.push(await call(key, () => upload.uploadPart(partNumber, part.slice(0, n))));
        n = await reader.fill();
      }
      const o = await call(key, () => upload.complete(parts));
      return { key, etag: o.httpEtag || `"${o.etag}"` };
    } catch (err) {
      await upload.abort().catch(() => {});
      await reader.cancel();
      throw err;
    }
  }

  return {
    name: 'r2',
    async get(key) {
      const o = await call(key, () => bucket.get(full(key)));
      if (!o) return null;
      const body = new Uint8Array(await call(key, () => o.arrayBuffer()));
      return { ...info(key, o), body };
    },
    async getStream(key) {
      const o = await call(key, () => bucket.get(full(key)));
      return o ? { ...info(key, o), body: o.body } : null;
    },
    head,
    async put(key, body: PutBody, opts = {}) {
      validateKey(key);
      if (typeof body === 'string') return putWhole(key, encoder.encode(body), opts);
      if (body instanceof Uint8Array) return putWhole(key, body, opts);
      if (opts.size !== undefined) {
        // a stream of known length goes up in one request; FixedLengthStream fails a body of another length
        const Fixed = (globalThis as { FixedLengthStream?: new (n: number) => TransformStream<Uint8Array, Uint8Array> }).FixedLengthStream;
        if (Fixed) {
          const fixed = new Fixed(opts.size);
          const piped = body.pipeTo(fixed.writable).catch(() => {});
          try {
            return await putWhole(key, fixed.readable, opts);
          } finally {
            await piped;
          }
        }
      }
      return putStream(key, body, opts);
    },
    async delete(key) {
      await call(key, () => bucket.delete(full(key)));
    },
    async deleteMany(keys) {
      const all = keys.map(full);
      for (let i = 0; i < all.length; i += 1000) {
        const batch = all.slice(i, i + 1000);
        await call(batch[0] ?? '', () => bucket.delete(batch));
      }
    },
    async list(opts = {}) {
      const prefix = validatePrefix(opts.prefix);
      const out = await call(prefix, () => bucket.list({
        prefix: keyPrefix + prefix,
        ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
        ...(opts.cursor ? { cursor: opts.cursor } : {}),
        limit: Math.max(1, Math.min(1000, opts.limit ?? 1000)),
      }));
      const strip = (k: string) => k.slice(keyPrefix.length);
      const result = { keys: out.objects.map((o) => strip(o.key)), prefixes: (out.delimitedPrefixes ?? []).map(strip) };
      return out.truncated && out.cursor ? { ...result, cursor: out.cursor } : result;
    },
  };
}
