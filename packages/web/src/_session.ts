// Cookies of the web UI: the session (the registry token `npm login` would get), the CSRF token
// (double submit: a random HttpOnly cookie that every form repeats) and a one-shot flash message.

export const SESSION_COOKIE = 'fw_session';
export const CSRF_COOKIE = 'fw_csrf';
export const FLASH_COOKIE = 'fw_flash';

/** The cookies of a request, by name (the first of each name wins). @internal */
export function readCookies(req: Request): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) {
      try {
        out.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
      } catch { /* a malformed value is no value */ }
    }
  }
  return out;
}

/** A Set-Cookie value: HttpOnly, SameSite=Strict, Path=/, Secure on https. @internal */
export function cookie(name: string, value: string, secure: boolean, maxAge?: number): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (secure) parts.push('Secure');
  if (maxAge !== undefined) parts.push(`Max-Age=${maxAge}`);
  return parts.join('; ');
}

/** A fresh CSRF token: 32 random bytes, hex. @internal */
export function newCsrfToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Constant-time comparison of two tokens. @internal */
export function sameToken(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0 && x.length > 0;
}
