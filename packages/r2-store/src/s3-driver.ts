import type { GetObjectCommandOutput, HeadObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { loadS3Sdk, type S3Sdk } from './_s3-sdk.ts';
import { StoreError } from './errors.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './types.ts';
import { validateKey, validatePrefix } from './validate-key.ts';
import { uploadStream } from './_s3-multipart.ts';

/**
 * Options of {@link s3Driver}: the `s3` variant of StoreConfig, or a ready client.
 * @example
 * const options: S3DriverOptions = { endpoint: 'http://127.0.0.1:9000', bucket: 'b', accessKeyId: 'k', secretAccessKey: 's' };
 */
export interface S3DriverOptions {
  bucket: string;
  /** Full endpoint URL; derived from `accountId` for R2 when omitted. */
  endpoint?: string;
  /** Cloudflare account id: endpoint https://<accountId>.r2.cloudflarestorage.com, region `auto`. */
  accountId?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Default true when an endpoint is set or derived. */
  forcePathStyle?: boolean;
  /** Key prefix inside the bucket, e.g. `registry/`. */
  prefix?: string;
  /** Use this client instead of building one (then the options above except bucket/prefix are ignored). */
  client?: S3Client;
  /** Part size for multipart uploads of streams; default 8 MiB. */
  partSize?: number;
}

const encoder = new TextEncoder();
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ConnectionRefused', 'ConnectionClosed']);

/** Maps an SDK error to a StoreError. @internal */
export function s3Error(key: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? e.Code ?? '';
  const what = `${name || 'error'}${status ? ` (${status})` : ''}`;
  if (status === 412 || name === 'PreconditionFailed') {
    return new StoreError('PRECONDITION_FAILED', `precondition failed: ${key}`, { key, cause: err });
  }
  // S3 answers 409 ConditionalRequestConflict when two conditional writes race: retryable like a 412
  if (status === 409 && name === 'ConditionalRequestConflict') {
    return new StoreError('PRECONDITION_FAILED', `conditional write conflict: ${key}`, { key, cause: err });
  }
  if (status === 404 || name === 'NoSuchKey' || name === 'NotFound') {
    if (name === 'NoSuchBucket') return new StoreError('INVALID_CONFIG', `bucket does not exist (${key})`, { key, cause: err });
    return new StoreError('NOT_FOUND', `not found: ${key}`, { key, cause: err });
  }
  if (status === 401 || status === 403) {
    return new StoreError('INVALID_CONFIG', `access denied by the S3 store: ${what} for ${key}`, { key, cause: err });
  }
  const network = status === undefined && (e.$metadata !== undefined || NETWORK_CODES.has((err as { code?: string }).code ?? '')
    || name === 'TimeoutError');
  if (network || status === 429 || (status !== undefined && status >= 500)) {
    return new StoreError('UNAVAILABLE', `S3 store unavailable: ${what}: ${e.message ?? ''} (${key})`, { key, cause: err });
  }
  return new StoreError('INTERNAL', `S3 store error ${what}: ${e.message ?? ''} (${key})`, { key, cause: err });
}

const isMissing = (err: StoreError) => err.code === 'NOT_FOUND';

/**
 * A driver over any S3-protocol store (Cloudflare R2, AWS S3, MinIO, the local test server) on
 * @aws-sdk/client-s3. Checksums are sent and validated only when required (R2 rejects the CRC32
 * headers new SDKs send by default). Conditional puts map to If-Match / If-None-Match on PutObject.
 * Web APIs only: runs on Bun, Node and Workers.
 * @example
 * const driver = s3Driver({ accountId, accessKeyId, secretAccessKey, bucket: 'registry' }); // R2
 * await driver.put('packages/p/manifest.json', '{}', { ifNoneMatch: '*' });
 */
export function s3Driver(options: S3DriverOptions): ObjectStore {
  const { bucket } = options;
  const keyPrefix = options.prefix ? options.prefix.replace(/\/?$/, '/') : '';
  const endpoint = options.endpoint ?? (options.accountId ? `https://${options.accountId}.r2.cloudflarestorage.com` : undefined);
  // The client (and the SDK) on first use; see _s3-sdk.ts.
  let connecting: Promise<{ sdk: S3Sdk; client: S3Client }> | undefined;
  const connect = () => (connecting ??= loadS3Sdk().then((sdk) => ({
    sdk,
    client: options.client ?? new sdk.S3Client({
      region: options.region ?? (options.accountId ? 'auto' : 'us-east-1'),
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? Boolean(endpoint),
      ...(options.accessKeyId && options.secretAccessKey
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  })));
  const partSize = Math.max(5 * 1024 * 1024, options.partSize ?? 8 * 1024 * 1024);
  const full = (key: string) => keyPrefix + validateKey(key);

  const info = (key: string, out: HeadObjectCommandOutput | GetObjectCommandOutput): ObjectInfo => {
    const result: ObjectInfo = {
      key,
      etag: out.ETag ?? '',
      size: out.ContentLength ?? 0,
      lastModified: out.LastModified ?? new Date(0),
    };
    if (out.ContentType) result.contentType = out.ContentType;
    if (out.Metadata && Object.keys(out.Metadata).length > 0) result.metadata = { ...out.Metadata };
    return result;
  };

  async function getObject(key: string): Promise<GetObjectCommandOutput | null> {
    try {
      const Key = full(key);
      const { sdk, client } = await connect();
      return await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key }));
    } catch (err) {
      const mapped = s3Error(key, err);
      if (isMissing(mapped)) return null;
      throw mapped;
    }
  }

  async function head(key: string): Promise<ObjectInfo | null> {
    try {
      const Key = full(key);
      const { sdk, client } = await connect();
      return info(key, await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key })));
    } catch (err) {
      const mapped = s3Error(key, err);
      if (isMissing(mapped)) return null;
      throw mapped;
    }
  }

  const conditions = (opts: PutOptions) => ({
    ...(opts.ifMatch !== undefined ? { IfMatch: opts.ifMatch } : {}),
    ...(opts.ifNoneMatch === '*' ? { IfNoneMatch: '*' } : {}),
  });

  return {
    name: 's3',
    async get(key) {
      const out = await getObject(key);
      if (!out) return null;
      try {
        const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
        return { ...info(key, out), body };
      } catch (err) {
        throw s3Error(key, err);
      }
    },
    async getStream(key) {
      const out = await getObject(key);
      if (!out) return null;
      const body = out.Body ? out.Body.transformToWebStream() as ReadableStream<Uint8Array> : new Response('').body!;
      return { ...info(key, out), body };
    },
    head,
    async put(key, body, opts = {}) {
      const Key = full(key);
      const params = {
        Bucket: bucket,
        Key,
        ...(opts.contentType ? { ContentType: opts.contentType } : {}),
        ...(opts.metadata ? { Metadata: opts.metadata } : {}),
        ...conditions(opts),
      };
      try {
        const { sdk, client } = await connect();
        if (typeof body === 'string' || body instanceof Uint8Array) {
          const bytes = typeof body === 'string' ? encoder.encode(body) : body;
          const out = await client.send(new sdk.PutObjectCommand({ ...params, Body: bytes, ContentLength: bytes.byteLength }));
          return { key, etag: out.ETag ?? '' };
        }
        // A stream of unknown length: one PutObject when it fits in one part, else a multipart
        // upload with one part buffer in memory (see _s3-multipart.ts).
        // Conditional large writes: conditional multipart completion is not portable. We check the
        // condition with a HEAD first (fail fast, before uploading), and also send If-Match /
        // If-None-Match on CompleteMultipartUpload, which AWS S3 and our test server enforce
        // atomically. On a store that ignores them there, the HEAD is the only check, so a
        // racing writer can slip in between: use updateJson (small JSON, single PUT) for anything
        // that races, and If-None-Match for immutable large objects (tarballs) where both writers
        // would write the same bytes.
        if (opts.ifMatch !== undefined || opts.ifNoneMatch === '*') {
          const current = await head(key);
          if (opts.ifNoneMatch === '*' && current) throw new StoreError('PRECONDITION_FAILED', `object exists: ${key}`, { key });
          if (opts.ifMatch !== undefined && current?.etag !== opts.ifMatch) {
            throw new StoreError('PRECONDITION_FAILED', `etag mismatch: ${key}`, { key });
          }
        }
        const etag = await uploadStream(client, params, body, partSize);
        return { key, etag: etag || (await head(key))?.etag || '' };
      } catch (err) {
        const mapped = s3Error(key, err);
        // AWS S3 answers If-Match on a missing key with 404 NoSuchKey; R2 and our test server with 412
        if (mapped.code === 'NOT_FOUND' && opts.ifMatch !== undefined) {
          throw new StoreError('PRECONDITION_FAILED', `etag mismatch (no object): ${key}`, { key, cause: err });
        }
        throw mapped;
      }
    },
    async delete(key) {
      try {
        const Key = full(key);
        const { sdk, client } = await connect();
        await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key }));
      } catch (err) {
        const mapped = s3Error(key, err);
        if (!isMissing(mapped)) throw mapped;
      }
    },
    async deleteMany(keys) {
      const all = keys.map(full);
      for (let i = 0; i < all.length; i += 1000) {
        const batch = all.slice(i, i + 1000);
        let out;
        try {
          const { sdk, client } = await connect();
          out = await client.send(new sdk.DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }));
        } catch (err) {
          throw s3Error(batch[0]!, err);
        }
        const failed = out.Errors?.find((e) => e.Code !== 'NoSuchKey');
        if (failed) throw new StoreError('UNAVAILABLE', `delete of ${failed.Key} failed: ${failed.Code} ${failed.Message ?? ''}`, { key: failed.Key ?? '' });
      }
    },
    async list(opts = {}) {
      const prefix = validatePrefix(opts.prefix);
      try {
        const { sdk, client } = await connect();
        const out = await client.send(new sdk.ListObjectsV2Command({
          Bucket: bucket,
          Prefix: keyPrefix + prefix,
          ...(opts.delimiter ? { Delimiter: opts.delimiter } : {}),
          ...(opts.cursor ? { ContinuationToken: opts.cursor } : {}),
          MaxKeys: Math.max(1, Math.min(1000, opts.limit ?? 1000)),
        }));
        const strip = (k: string) => k.slice(keyPrefix.length);
        const result = {
          keys: (out.Contents ?? []).map((c) => strip(c.Key ?? '')),
          prefixes: (out.CommonPrefixes ?? []).map((p) => strip(p.Prefix ?? '')),
        };
        return out.IsTruncated && out.NextContinuationToken ? { ...result, cursor: out.NextContinuationToken } : result;
      } catch (err) {
        throw s3Error(prefix, err);
      }
    },
    async close() {
      if (!options.client && connecting) (await connecting).client.destroy();
    },
  };
}
