/** Stable codes of {@link BunxError}. Test `err.code`, not `instanceof`, across packages. */
export type BunxErrorCode =
  | 'INVALID_SPEC'
  | 'INVALID_OPTION'
  | 'NOT_FOUND'
  | 'NO_MATCHING_VERSION'
  | 'UNAUTHORIZED'
  | 'REGISTRY_ERROR'
  | 'REGISTRY_UNREACHABLE'
  | 'INTEGRITY_MISSING'
  | 'INTEGRITY_MISMATCH'
  | 'UNSAFE_TARBALL'
  | 'CACHE_NOT_OWNED'
  | 'CACHE_INVALID'
  | 'OFFLINE_MISS'
  | 'BIN_NOT_FOUND'
  | 'INSTALL_FAILED'
  | 'SPAWN_FAILED';

/**
 * The one error class of this package, with a stable `code` and an optional `cause`.
 * @example
 * try { await bunx.execute({ package: '@acme/cli' }); }
 * catch (err) { if ((err as BunxError).code === 'OFFLINE_MISS') console.error(err.message); }
 */
export class BunxError extends Error {
  override readonly name = 'BunxError';
  readonly code: BunxErrorCode;
  constructor(code: BunxErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * True when `err` is a BunxError (by name, so it works across bundles), optionally with `code`.
 * @example
 * if (isBunxError(err, 'NOT_FOUND')) return null;
 */
export function isBunxError(err: unknown, code?: BunxErrorCode): err is BunxError {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'BunxError'
    && (code === undefined || (err as { code?: unknown }).code === code);
}
