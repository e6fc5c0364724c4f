import type { StoreErrorCode } from '@factorywager/r2-store';
import { RegistryError, type RegistryErrorCode } from './errors.ts';

/** StoreError codes as RegistryError codes: the store knows no HTTP, the STATUS table does. */
const FROM_STORE: Record<StoreErrorCode, RegistryErrorCode> = {
  NOT_FOUND: 'NOT_FOUND',
  PRECONDITION_FAILED: 'CONFLICT',
  CONFLICT: 'CONFLICT',
  INVALID_KEY: 'BAD_REQUEST',
  UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  INVALID_CONFIG: 'INVALID_CONFIG',
  INVALID_JSON: 'INTERNAL',
  INTERNAL: 'INTERNAL',
};

const named = (err: unknown, name: string): err is { code: string; message: string } =>
  typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;

/**
 * Any thrown value as a RegistryError: RegistryErrors as they are, StoreErrors through the table
 * above (keys and paths stay out of the message), anything else INTERNAL with a generic message.
 */
export function toRegistryError(err: unknown): RegistryError {
  if (named(err, 'RegistryError')) return err as RegistryError;
  if (named(err, 'StoreError')) {
    const code = FROM_STORE[err.code as StoreErrorCode] ?? 'INTERNAL';
    const message = code === 'CONFLICT' ? 'the package changed concurrently; try again'
      : code === 'BAD_REQUEST' ? 'invalid storage key' : code === 'NOT_FOUND' ? 'not found' : 'storage error';
    return new RegistryError(code, message, { cause: err });
  }
  const status = (err as { status?: unknown } | null)?.status;
  if (status === 413) return new RegistryError('TOO_LARGE', 'request body too large', { cause: err });
  return new RegistryError('INTERNAL', 'internal error', { cause: err });
}

/**
 * The JSON error answer: `{ "error": "..." }` with the status of the code. An INTERNAL message may
 * name storage keys: the client gets a generic one (the request log keeps the real one).
 */
export function errorResponse(err: RegistryError): Response {
  const res = new Response(JSON.stringify({ error: err.code === 'INTERNAL' ? 'internal error' : err.message }), {
    status: err.status,
    headers: { 'content-type': 'application/json' },
  });
  answered.set(res, err);
  return res;
}

// Which error each answer carries, so the request log sees failures of mounted sub-apps (auth) too.
const answered = new WeakMap<Response, RegistryError>();

/** The error an {@link errorResponse} answer was made from, for the request log. */
export const errorOf = (res: Response): RegistryError | undefined => answered.get(res);
