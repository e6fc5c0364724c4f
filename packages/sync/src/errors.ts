/** Stable codes of {@link SyncError}. Test `err.code`, not `instanceof`, across packages. */
export type SyncErrorCode =
  /** No R2/S3 store is configured to sync to. */
  | 'NO_TARGET'
  /** The copy stopped: a store failed part way (what arrived is recorded, a rerun resumes). */
  | 'UPLOAD_FAILED'
  /** An immutable object (a tarball) differs between the stores, or a writer raced the copy. */
  | 'CONFLICT'
  /** An object under `secrets/` is not one of the encrypted formats that may travel. */
  | 'REFUSED';

/**
 * The one error class of this package.
 * @example
 * try { await syncUpload(options); }
 * catch (err) { if ((err as SyncError).code === 'UPLOAD_FAILED') console.error('rerun to resume'); }
 */
export class SyncError extends Error {
  override readonly name = 'SyncError';
  readonly code: SyncErrorCode;
  constructor(code: SyncErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
