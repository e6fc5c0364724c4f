/** Body accepted by {@link ObjectStore.put}: bytes, text, or a web stream of bytes. */
export type PutBody = Uint8Array | string | ReadableStream<Uint8Array>;

/** What {@link ObjectStore.head} returns for an existing object. */
export interface ObjectInfo {
  key: string;
  /** Opaque entity tag; changes whenever the bytes change. Quoted or not, drivers agree with themselves. */
  etag: string;
  size: number;
  lastModified: Date;
  contentType?: string;
  metadata?: Record<string, string>;
}

/** An object read whole. */
export interface StoredObject extends ObjectInfo {
  body: Uint8Array;
}

/** An object read as a stream. */
export interface StreamedObject extends ObjectInfo {
  body: ReadableStream<Uint8Array>;
}

export interface PutOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  /** Write only if the current object's etag equals this one; else PRECONDITION_FAILED. */
  ifMatch?: string;
  /** `'*'`: write only if no object exists at the key; else PRECONDITION_FAILED. */
  ifNoneMatch?: '*';
  /**
   * Byte length of a stream body, when known. The r2 driver then sends the stream in one request
   * (a FixedLengthStream, so a body of another length fails); other drivers treat it as a hint.
   */
  size?: number;
}

export interface PutResult {
  key: string;
  etag: string;
}

export interface ListOptions {
  prefix?: string;
  /** Group keys that share a prefix up to this character into `prefixes` (S3 semantics). */
  delimiter?: string;
  /** Opaque cursor from a previous page's `cursor`. */
  cursor?: string;
  /** Page size, at most 1000. */
  limit?: number;
}

export interface ListResult {
  keys: string[];
  /** Common prefixes when a delimiter was given, each ending with the delimiter. */
  prefixes: string[];
  /** Present when there are more results. */
  cursor?: string;
}

/**
 * The contract every driver implements. Web types only, so it runs on Bun, Node and Workers.
 * Keys are validated by every driver (see `validateKey`).
 */
export interface ObjectStore {
  /** Driver name, e.g. `fs`, `memory`, `s3`, `r2`. */
  readonly name: string;
  get(key: string): Promise<StoredObject | null>;
  getStream(key: string): Promise<StreamedObject | null>;
  head(key: string): Promise<ObjectInfo | null>;
  put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult>;
  delete(key: string): Promise<void>;
  deleteMany(keys: string[]): Promise<void>;
  list(options?: ListOptions): Promise<ListResult>;
  /** Release sockets, file handles. Optional. */
  close?(): Promise<void>;
  /**
   * A synchronous change signal, where the driver has one (fs on a local filesystem, on Bun; memory):
   * a number that reads differently once a put or delete of `key` has completed — through any driver
   * over the same storage, in any process — than it read before. Read it before a `head` or `get`;
   * while it still reads the same, that object has not been written since. Keys may share a signal
   * (a write of one then looks like a write of the other). Undefined, or no method, where there is
   * none: then only a `head` tells.
   * @example
   * const seen = store.changeStamp?.(key);
   * const info = await store.head(key);
   * // later: store.changeStamp?.(key) === seen && seen !== undefined → info is still current
   */
  changeStamp?(key: string): number | undefined;
}

export interface UpdateJsonOptions<T = unknown> {
  /** Attempts before giving up with CONFLICT (UNAVAILABLE when the last attempt found the store unavailable). Default 50: enough that 8 writers hammering one key all get through; with the 250 ms back-off cap a hopeless update gives up within about 12 s. */
  retries?: number;
  /** Base back-off in ms (jittered, exponential, capped). Default 10. */
  backoffMs?: number;
  contentType?: string;
  /**
   * The value the caller believes is stored, with its etag (e.g. from a cache). The first attempt
   * uses it instead of reading and parsing the object when a `head` shows that etag still stored; `fn`
   * must then not change it in place. Later attempts read as usual.
   */
  known?: { value: T; etag: string } | null;
}

export interface UpdateJsonResult<T> {
  /** The value now stored (or the unchanged current value when `fn` returned undefined). */
  value: T | null;
  etag: string | null;
  /** False when `fn` returned undefined and nothing was written. */
  written: boolean;
  /** How many conditional puts lost a race before this one won. */
  conflicts: number;
}

/**
 * A driver plus the JSON helpers every consumer uses. `updateJson` is the one place where
 * check-and-set lives: read with etag, apply `fn`, put with If-Match (or If-None-Match: * when the
 * key was absent), retry on PRECONDITION_FAILED with jittered back-off.
 * `fn` receives the current value (null when absent) and returns the new value, or undefined to
 * write nothing; throwing from `fn` aborts the update and propagates. `fn` may run more than once.
 */
export interface Store extends ObjectStore {
  readonly driver: ObjectStore;
  getText(key: string): Promise<string | null>;
  getJson<T = unknown>(key: string): Promise<T | null>;
  getJsonWithEtag<T = unknown>(key: string): Promise<{ value: T; etag: string } | null>;
  putJson(key: string, value: unknown, options?: PutOptions): Promise<PutResult>;
  updateJson<T>(
    key: string,
    fn: (current: T | null) => T | undefined | Promise<T | undefined>,
    options?: UpdateJsonOptions<T>,
  ): Promise<UpdateJsonResult<T>>;
}

/** Configuration accepted by `createStore`. */
export type StoreConfig =
  | { driver: 'fs'; /** Root folder; created if missing. */ root: string }
  | { driver: 'memory' }
  | {
      driver: 's3';
      bucket: string;
      /** Full endpoint URL; for R2, https://<accountId>.r2.cloudflarestorage.com (derived from accountId when omitted). */
      endpoint?: string;
      accountId?: string;
      region?: string;
      accessKeyId: string;
      secretAccessKey: string;
      /** Path-style addressing; default true for a custom endpoint. */
      forcePathStyle?: boolean;
      /** Optional key prefix inside the bucket. */
      prefix?: string;
    };
