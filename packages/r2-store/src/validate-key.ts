import { StoreError } from './errors.ts';

/**
 * Longest key accepted, in UTF-8 bytes (the S3 and R2 limit).
 * @example
 * new TextEncoder().encode(key).byteLength <= MAX_KEY_BYTES
 */
export const MAX_KEY_BYTES = 1024;

const encoder = new TextEncoder();

/**
 * Throws StoreError `INVALID_KEY` unless `key` is safe for every driver: not empty, no leading `/`,
 * no empty, `.` or `..` segment, no backslash, no NUL or other control character, at most 1024 bytes
 * of UTF-8. Every driver calls it before touching storage.
 * @example
 * validateKey('packages/@scope/pkg/manifest.json'); // ok
 * validateKey('../etc/passwd');                     // throws StoreError INVALID_KEY
 */
export function validateKey(key: string): string {
  const fail = (why: string): never => {
    throw new StoreError('INVALID_KEY', `invalid storage key ${JSON.stringify(key.slice(0, 200))}: ${why}`, { key });
  };
  if (typeof key !== 'string' || key.length === 0) fail('empty');
  if (key.startsWith('/')) fail('leading "/"');
  if (key.includes('\\')) fail('backslash');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(key)) fail('control character');
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(key)) fail('lone surrogate');
  if (encoder.encode(key).byteLength > MAX_KEY_BYTES) fail(`longer than ${MAX_KEY_BYTES} bytes`);
  for (const segment of key.split('/')) {
    if (segment === '') fail('empty segment');
    if (segment === '.' || segment === '..') fail(`"${segment}" segment`);
  }
  return key;
}

/** Validates a prefix given to `list`: like a key, but may be empty and may end with `/`. @internal */
export function validatePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return '';
  validateKey(prefix.endsWith('/') ? prefix.slice(0, -1) || 'x' : prefix);
  return prefix;
}
