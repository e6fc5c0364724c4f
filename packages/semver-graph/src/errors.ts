/** Stable codes of {@link SemverGraphError}; test `err.code`, not `instanceof`. */
export type SemverGraphErrorCode =
  | 'INVALID_VERSION'
  | 'INVALID_BUMP'
  | 'INVALID_RANGE'
  | 'INVALID_OPTION'
  | 'INVALID_PACKUMENT'
  | 'INVALID_PACKAGE_NAME'
  | 'PACKAGE_NOT_FOUND'
  | 'VERSION_NOT_FOUND'
  | 'VERSION_DEPRECATED'
  | 'FETCH_FAILED'
  /** The registry wants credentials (its message says which). */
  | 'UNAUTHORIZED'
  /** The registry refused the user (e.g. no publish right on the package). */
  | 'FORBIDDEN'
  /** The registry refused the request as invalid. */
  | 'REJECTED'
  /** The package moved meanwhile (a check-and-set lost): look again. */
  | 'CONFLICT';

/**
 * The one error class of `@factorywager/semver-graph`: a stable string `code`, the offending
 * `input` where there is one, and the underlying `cause`.
 *
 * @example
 * ```ts
 * try { parseVersion('1.2'); } catch (err) {
 *   if ((err as SemverGraphError).code === 'INVALID_VERSION') console.error(err.message);
 * }
 * ```
 */
export class SemverGraphError extends Error {
  override readonly name = 'SemverGraphError';
  readonly code: SemverGraphErrorCode;
  readonly input: string | undefined;

  constructor(code: SemverGraphErrorCode, message: string, options: { input?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.input = options.input;
  }
}

/**
 * True when `err` is a SemverGraphError, with the given code if one is given (works across copies of
 * the package, unlike `instanceof`).
 *
 * @example
 * ```ts
 * if (isSemverGraphError(err, 'VERSION_NOT_FOUND')) process.exitCode = 1;
 * ```
 */
export function isSemverGraphError(err: unknown, code?: SemverGraphErrorCode): err is SemverGraphError {
  const e = err as { name?: unknown; code?: unknown } | null;
  return typeof e === 'object' && e !== null && e.name === 'SemverGraphError' && (code === undefined || e.code === code);
}
