import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { Store } from '@factorywager/r2-store';
import { RegistryError } from '../errors.ts';
import { assertUserName, authKeys, isTokenId } from './_keys.ts';

/** What the store keeps per token: never the token itself, only its id and a short prefix. */
export interface TokenRecord {
  key: string;
  user: string;
  /** First characters of the token, as `npm token list` shows them. */
  token: string;
  readonly: boolean;
  cidr_whitelist: string[];
  created: string;
  updated: string;
  expires?: string;
  /** `npm token create --name`. */
  name?: string;
}

/** Verified claims of a token whose record still exists. */
export interface VerifiedToken {
  user: string;
  record: TokenRecord;
}

const encoder = new TextEncoder();

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/**
 * The signing key: the configured secret, else one generated once and kept in the store. The first
 * replica to write it wins (If-None-Match: *); the others read the winner's.
 */
export async function resolveSigningKey(store: Store, configured: string | undefined): Promise<Uint8Array> {
  if (configured) return encoder.encode(configured);
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await store.getJson<{ secret?: unknown }>(authKeys.secret());
    if (existing && typeof existing.secret === 'string' && existing.secret.length >= 32) return encoder.encode(existing.secret);
    if (existing) throw new RegistryError('INTERNAL', `${authKeys.secret()} holds no usable secret`);
    try {
      const secret = randomSecret();
      await store.putJson(authKeys.secret(), { secret, created: new Date().toISOString() }, { ifNoneMatch: '*' });
      return encoder.encode(secret);
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'PRECONDITION_FAILED') throw err;
    }
  }
  throw new RegistryError('INTERNAL', 'could not read or create the signing secret');
}

/** Signs a new token for `user` and records its id; `ttlSeconds` bounds its life. */
export async function issueToken(
  store: Store, key: Uint8Array, user: string,
  opts: { readonly: boolean; cidr: string[]; ttlSeconds: number; nowMs: number; name?: string },
): Promise<{ token: string; record: TokenRecord }> {
  const id = crypto.randomUUID();
  const iat = Math.floor(opts.nowMs / 1000);
  const exp = iat + opts.ttlSeconds;
  const token = await new SignJWT({ ro: opts.readonly || undefined })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user)
    .setJti(id)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
  const now = new Date(opts.nowMs).toISOString();
  const record: TokenRecord = {
    key: id, user, token: token.slice(0, 6), readonly: opts.readonly, cidr_whitelist: opts.cidr,
    created: now, updated: now, expires: new Date(exp * 1000).toISOString(),
    ...(opts.name ? { name: opts.name } : {}),
  };
  await store.putJson(authKeys.token(user, id), record, { ifNoneMatch: '*' });
  return { token, record };
}

/**
 * Verifies signature (HS256 only: `alg: none` and every other algorithm are refused), expiry and
 * that the token's record still exists (a revoked token fails at once, on every replica).
 */
export async function verifyToken(store: Store, key: Uint8Array, token: string, nowMs: number): Promise<VerifiedToken> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'], currentDate: new Date(nowMs) }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new RegistryError('UNAUTHORIZED', 'token expired: log in again');
    throw new RegistryError('UNAUTHORIZED', 'invalid token');
  }
  const user = payload.sub;
  const id = payload.jti;
  try {
    assertUserName(user);
  } catch {
    throw new RegistryError('UNAUTHORIZED', 'invalid token');
  }
  if (!isTokenId(id)) throw new RegistryError('UNAUTHORIZED', 'invalid token');
  const record = await store.getJson<TokenRecord>(authKeys.token(user, id));
  if (!record || record.user !== user) throw new RegistryError('UNAUTHORIZED', 'token revoked: log in again');
  return { user, record };
}

/** Every live token record of `user`, oldest first; records of expired tokens are deleted on the way. */
export async function listTokens(store: Store, user: string, nowMs: number): Promise<TokenRecord[]> {
  const out: TokenRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ prefix: authKeys.userTokensPrefix(user), cursor });
    const records = await Promise.all(page.keys.map((k) => store.getJson<TokenRecord>(k)));
    const expired: string[] = [];
    records.forEach((r, i) => {
      if (r && r.expires && Date.parse(r.expires) <= nowMs) expired.push(page.keys[i]!);
      else if (r) out.push(r);
    });
    if (expired.length) await store.deleteMany(expired);
    cursor = page.cursor;
  } while (cursor);
  return out.sort((a, b) => a.created.localeCompare(b.created));
}
