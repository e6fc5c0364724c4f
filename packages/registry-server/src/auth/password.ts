/** A stored password hash with its parameters, so the cost can be raised later. */
export interface PasswordHash {
  algorithm: 'PBKDF2-SHA256';
  iterations: number;
  /** base64 of 16 random bytes. */
  salt: string;
  /** base64 of the 32-byte derived key. */
  hash: string;
}

/** OWASP's 2023 floor for PBKDF2-HMAC-SHA256. */
export const PBKDF2_ITERATIONS = 600_000;

const encoder = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, key, 256);
  return new Uint8Array(bits);
}

/**
 * Constant-time equality of two byte arrays (the time depends only on the length).
 * Hand-written because Web Crypto has no timingSafeEqual and node:crypto is not on Workers.
 * @example
 * timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])); // true
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Hashes a password with Web Crypto PBKDF2-SHA256 and a fresh 16-byte salt (no `node:` import, so it
 * runs on Workers too).
 * @example
 * const stored = await hashPassword('correct horse battery staple');
 * await verifyPassword('correct horse battery staple', stored); // true
 */
export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<PasswordHash> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, iterations);
  return { algorithm: 'PBKDF2-SHA256', iterations, salt: toBase64(salt), hash: toBase64(hash) };
}

/**
 * Checks a password against a stored hash, comparing the derived keys in constant time.
 * @example
 * if (!(await verifyPassword(body.password, user.password))) throw new RegistryError('UNAUTHORIZED', 'bad password');
 */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  if (stored.algorithm !== 'PBKDF2-SHA256' || !Number.isInteger(stored.iterations) || stored.iterations < 1) return false;
  const expected = fromBase64(stored.hash);
  const actual = await derive(password, fromBase64(stored.salt), stored.iterations);
  return timingSafeEqual(actual, expected);
}
