import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { Store } from '@factorywager/r2-store';
import { RegistryError } from '../errors.ts';
import { assertUserName, authKeys, isTokenId } from './_keys.ts';

/** What the store keeps per token: never the token itself, only its id and a short prefix. */
export interface TokenRecord {
  key: string;
  user: string;
  /** The id of the user record the token was issued to: a later account of the same name has another. */
  userId?: string;
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

/** Verified claims of a token whose record still exists and whose user is the one it was issued to. */
export interface VerifiedToken {
  user: string;
  userId: string;
  record: TokenRecord;
}

/** The account a token is issued to: its name and the id of its user record. */
export interface TokenOwner {
  name: string;
  id: string;
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

/** Signs a new token for `user` (bound to its user id) and records its id; `ttlSeconds` bounds its life. */
export async function issueToken(
  store: Store, key: Uint8Array, owner: TokenOwner,
  opts: { readonly: boolean; cidr: string[]; ttlSeconds: number; nowMs: number; name?: string },
): Promise<{ token: string; record: TokenRecord }> {
  const id = crypto.randomUUID();
  const iat = Math.floor(opts.nowMs / 1000);
  const exp = iat + opts.ttlSeconds;
  const user = owner.name;
  const token = await new SignJWT({ ro: opts.readonly || undefined, uid: owner.id })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user)
    .setJti(id)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
  const now = new Date(opts.nowMs).toISOString();
  const record: TokenRecord = {
    key: id, user, userId: owner.id, token: token.slice(0, 6), readonly: opts.readonly, cidr_whitelist: opts.cidr,
    created: now, updated: now, expires: new Date(exp * 1000).toISOString(),
    ...(opts.name ? { name: opts.name } : {}),
  };
  await store.putJson(authKeys.token(user, id), record, { ifNoneMatch: '*' });
  return { token, record };
}

// The signing secret as a verifying CryptoKey, imported once per secret rather than by jose on every
// request (an import is a Web Crypto call of its own). Only settled keys are kept: no request awaits
// another's promise (Workers forbid that).
const verifyKeys = new WeakMap<Uint8Array, CryptoKey>();
async function verifyKeyOf(key: Uint8Array): Promise<CryptoKey> {
  const known = verifyKeys.get(key);
  if (known) return known;
  const imported = await crypto.subtle.importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  verifyKeys.set(key, imported);
  return imported;
}

/**
 * Verifies signature (HS256 only: `alg: none` and every other algorithm are refused), expiry (the
 * signed one and the stored one), that the token's record still exists (a revoked token fails at once,
 * on every replica) and that its user record is the one it was issued to: a deleted user's tokens, or
 * a token of an earlier account of the same name, fail.
 */
export async function verifyToken(store: Store, key: Uint8Array, token: string, nowMs: number): Promise<VerifiedToken> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, await verifyKeyOf(key), { algorithms: ['HS256'], currentDate: new Date(nowMs) }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new RegistryError('UNAUTHORIZED', 'token expired: log in again');
    throw new RegistryError('UNAUTHORIZED', 'invalid token');
  }
  const user = payload.sub;
  const id = payload.jti;
  const uid = payload.uid;
  try {
    assertUserName(user);
  } catch {
    throw new RegistryError('UNAUTHORIZED', 'invalid token');
  }
  if (!isTokenId(id)) throw new RegistryError('UNAUTHORIZED', 'invalid token');
  // Tokens signed before user ids existed carry none: they cannot be tied to an account.
  if (typeof uid !== 'string') throw new RegistryError('UNAUTHORIZED', 'token revoked: log in again');
  const [record, account] = await Promise.all([
    store.getJson<TokenRecord>(authKeys.token(user, id)),
    store.getJson<{ id?: unknown }>(authKeys.user(user)),
  ]);
  if (!record || record.user !== user || record.userId !== uid || account?.id !== uid) {
    throw new RegistryError('UNAUTHORIZED', 'token revoked: log in again');
  }
  if (record.expires !== undefined && !(Date.parse(record.expires) > nowMs)) {
    throw new RegistryError('UNAUTHORIZED', 'token expired: log in again');
  }
  return { user, userId: uid, record };
}

/**
 * Every live token record of `owner`, oldest first; records of expired tokens, and of an earlier
 * account of the same name, are deleted on the way.
 */
export async function listTokens(store: Store, owner: TokenOwner, nowMs: number): Promise<TokenRecord[]> {
  const out: TokenRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ prefix: authKeys.userTokensPrefix(owner.name), cursor });
    const records = await Promise.all(page.keys.map((k) => store.getJson<TokenRecord>(k)));
    const expired: string[] = [];
    records.forEach((r, i) => {
      if (!r) return;
      if (r.userId !== owner.id || (r.expires && !(Date.parse(r.expires) > nowMs))) expired.push(page.keys[i]!);
      else out.push(r);
    });
    if (expired.length) await store.deleteMany(expired);
    cursor = page.cursor;
  } while (cursor);
  return out.sort((a, b) => a.created.localeCompare(b.created));
}

/** Deletes every token record of the user `name` (any account of that name); returns how many. */
export async function deleteAllTokens(store: Store, name: string): Promise<number> {
  let count = 0;
  for (;;) {
    const page = await store.list({ prefix: authKeys.userTokensPrefix(name) });
    if (page.keys.length === 0) return count;
    await store.deleteMany(page.keys);
    count += page.keys.length;
  }
}

/** Deletes every token of `owner` but `keep` (the session that asked); returns how many went. */
export async function revokeTokens(store: Store, owner: TokenOwner, keep: string | undefined, nowMs: number): Promise<number> {
  const gone = (await listTokens(store, owner, nowMs)).filter((r) => r.key !== keep).map((r) => authKeys.token(owner.name, r.key));
  if (gone.length) await store.deleteMany(gone);
  return gone.length;
}
