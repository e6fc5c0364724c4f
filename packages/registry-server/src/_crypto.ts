// Web Crypto and base64 helpers: no `node:` imports so the handler runs on Workers too.

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 decoding (no whitespace, correct padding); null when the text is not base64. */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || !B64_RE.test(text)) return null;
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (typeof fromBase64 === 'function') {
    try { return fromBase64(text); } catch { return null; }
  }
  let binary: string;
  try { binary = atob(text); } catch { return null; }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// Bun's synchronous hasher where there is one: `crypto.subtle.digest` goes through a thread pool,
// ~50 µs of CPU for a small tarball's two hashes against ~3.5 µs hashed in place (measured on Bun 1.4).
// Workers and Node have Web Crypto only here (no `node:` imports). Large bodies go to the pool all
// the same, so that hashing one does not hold up the requests behind it.
const IN_PLACE_MAX = 1 << 20;
type Hasher = { update(data: Uint8Array): Hasher; digest(encoding: 'base64' | 'hex'): string };
const BunHasher = (globalThis as { Bun?: { CryptoHasher?: new (algorithm: string) => Hasher } }).Bun?.CryptoHasher;

/** `sha512-<base64>`: the SRI form npm puts in `dist.integrity`. */
export async function sha512Integrity(bytes: Uint8Array): Promise<string> {
  if (BunHasher && bytes.byteLength <= IN_PLACE_MAX) return `sha512-${new BunHasher('sha512').update(bytes).digest('base64')}`;
  return `sha512-${encodeBase64(new Uint8Array(await crypto.subtle.digest('SHA-512', bytes as BufferSource)))}`;
}

/** Hex SHA-1: npm's legacy `dist.shasum`. */
export async function sha1Hex(bytes: Uint8Array): Promise<string> {
  if (BunHasher && bytes.byteLength <= IN_PLACE_MAX) return new BunHasher('sha1').update(bytes).digest('hex');
  return hex(await crypto.subtle.digest('SHA-1', bytes as BufferSource));
}

/** Short hex SHA-256 of a text, used for ETags. */
export async function shortHash(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))).slice(0, 24);
}

/** Random hex, for packument revisions. */
export function randomHex(bytes = 8): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * FNV-1a of a text, 32 bits, unsigned: a quick, stable, non-cryptographic hash (ETag parts, the
 * index's shards). Hand-written: three lines, where a package would add a dependency.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** {@link fnv1a32} in hex: a short hash of a text, for ETags. */
export const fnv1aHex = (text: string): string => fnv1a32(text).toString(16);
