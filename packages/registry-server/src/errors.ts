/** Stable codes of {@link RegistryError}; `STATUS` maps each to its HTTP status in one table. */
export type RegistryErrorCode =
  | 'BAD_REQUEST'
  | 'INVALID_NAME'
  | 'INVALID_VERSION'
  | 'INVALID_JSON'
  | 'CLIENT_ABORTED'
  | 'INTEGRITY_MISMATCH'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'VERSION_EXISTS'
  | 'TOO_LARGE'
  | 'RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'QUARANTINED'
  | 'LOOP_DETECTED'
  | 'AUDIT_UNAVAILABLE'
  | 'INVALID_CONFIG'
  | 'INTERNAL';

/** The HTTP status of each code: the only place where the server knows statuses. */
export const STATUS: Record<RegistryErrorCode, number> = {
  BAD_REQUEST: 400,
  INVALID_NAME: 400,
  INVALID_VERSION: 400,
  INVALID_JSON: 400,
  // The client went away (or broke the chunked framing) before its body arrived: its fault, never a 5xx.
  CLIENT_ABORTED: 400,
  INTEGRITY_MISMATCH: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  // npm expects 403 for "cannot publish over the previously published version".
  VERSION_EXISTS: 403,
  TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UPSTREAM_UNAVAILABLE: 502,
  // An upstream version younger than minReleaseAge: npm reads 403 as "forbidden by your security policy".
  QUARANTINED: 403,
  LOOP_DETECTED: 508,
  // No uplink can audit the request: npm audit then says it could not be done (never "0 vulnerabilities").
  AUDIT_UNAVAILABLE: 503,
  INVALID_CONFIG: 500,
  INTERNAL: 500,
};

/**
 * The one error class of the registry server.
 * @example
 * throw new RegistryError('VERSION_EXISTS', 'cannot publish over the previously published version 1.0.0');
 */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(readonly code: RegistryErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
  get status(): number {
    return STATUS[this.code];
  }
}
