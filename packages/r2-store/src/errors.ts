/** Stable codes of {@link StoreError}. Test `err.code`, not `instanceof`, across packages. */
export type StoreErrorCode =
  | 'NOT_FOUND'
  | 'PRECONDITION_FAILED'
  | 'INVALID_KEY'
  | 'UNAVAILABLE'
  | 'CONFLICT'
  | 'INVALID_CONFIG'
  | 'INVALID_JSON'
  | 'INTERNAL';

/**
 * The one error class of this package.
 * @example
 * try { await store.put(key, body, { ifNoneMatch: '*' }); }
 * catch (err) { if ((err as StoreError).code === 'PRECONDITION_FAILED') { ... } }
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly key?: string;
  constructor(code: StoreErrorCode, message: string, options: { key?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.key !== undefined) this.key = options.key;
  }
}

/**
 * True when `err` is a StoreError (or any error) carrying the given code.
 * @example
 * if (isStoreError(err, 'NOT_FOUND')) return null;
 */
export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'StoreError'
    && (code === undefined || (err as { code?: unknown }).code === code);
}
