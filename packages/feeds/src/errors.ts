/** Stable codes of {@link FeedError}. Test `err.code`, not `instanceof`, across packages. */
export type FeedErrorCode = 'INVALID_URL' | 'FETCH_FAILED' | 'NOT_A_FEED';

/**
 * The one error class of this package.
 * @example
 * try { parseFeed(xml, url); } catch (err) { if ((err as FeedError).code === 'NOT_A_FEED') console.error(err.message); }
 */
export class FeedError extends Error {
  override readonly name = 'FeedError';
  readonly code: FeedErrorCode;
  constructor(code: FeedErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
