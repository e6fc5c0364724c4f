/** Stable codes of {@link SecretsError}. Test `err.code`, not `instanceof`, across packages. */
export type SecretsErrorCode =
  | 'INVALID_KEY'
  | 'INVALID_VALUE'
  | 'INVALID_MASTER_KEY'
  | 'NOT_FOUND'
  | 'VERSION_NOT_FOUND'
  | 'DECRYPT_FAILED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'KEYCHAIN_UNAVAILABLE'
  | 'NOT_INITIALIZED'
  | 'INTERNAL';

/**
 * The one error class of this package. Messages never contain a secret value.
 * @example
 * try { await secrets.getSecret('db/password'); }
 * catch (err) { if ((err as SecretsError).code === 'FORBIDDEN') console.error(err.message); }
 */
export class SecretsError extends Error {
  override readonly name = 'SecretsError';
  readonly code: SecretsErrorCode;
  constructor(code: SecretsErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * True when `err` is a SecretsError (by name, so it works across bundles) with the given code.
 * @example
 * if (isSecretsError(err, 'NOT_FOUND')) return null;
 */
export function isSecretsError(err: unknown, code?: SecretsErrorCode): err is SecretsError {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'SecretsError'
    && (code === undefined || (err as { code?: unknown }).code === code);
}
