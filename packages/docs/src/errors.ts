/** Stable codes of {@link DocsError}. Test `err.code`, not `instanceof`, across packages. */
export type DocsErrorCode =
  | 'INVALID_SPEC'
  | 'NOT_FOUND'
  | 'FETCH_FAILED'
  | 'INTEGRITY'
  | 'NOT_CACHED'
  | 'INVALID_TARBALL';

/**
 * The one error class of this package.
 * @example
 * try { await fetchPackageDocs(client, 'left-pad@9'); }
 * catch (err) { if ((err as DocsError).code === 'NOT_FOUND') console.error(err.message); }
 */
export class DocsError extends Error {
  override readonly name = 'DocsError';
  readonly code: DocsErrorCode;
  constructor(code: DocsErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
