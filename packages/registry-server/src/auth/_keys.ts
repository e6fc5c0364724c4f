import { RegistryError } from '../errors.ts';

// npm user names: lowercase letters, digits, `-`, `_`, `.`; no leading dot or dash; at most 64.
const USER_NAME = /^[a-z0-9_][a-z0-9._-]{0,63}$/;

/**
 * Throws INVALID_NAME unless `name` is a safe user name; runs before any storage key is formed.
 * @example
 * assertUserName('alice'); // ok
 * assertUserName('../etc'); // throws RegistryError INVALID_NAME
 */
export function assertUserName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !USER_NAME.test(name) || name.includes('..')) {
    throw new RegistryError('INVALID_NAME', `invalid user name ${JSON.stringify(String(name).slice(0, 80))}: use lowercase letters, digits, ".", "-" and "_" (at most 64)`);
  }
}

// Token ids are random UUIDs; anything else never reaches a key.
const TOKEN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True when `id` has the shape of a token id (a random UUID). */
export function isTokenId(id: unknown): id is string {
  return typeof id === 'string' && TOKEN_ID.test(id);
}

/** Storage keys of the auth module (all under `auth/`). Callers validate names first. */
export const authKeys = {
  user: (name: string) => `auth/users/${name}.json`,
  /** A deleted account's name, closed to open sign-up (packages may still name it as a maintainer). */
  deletedUser: (name: string) => `auth/deleted-users/${name}.json`,
  secret: () => 'auth/secret.json',
  token: (user: string, id: string) => `auth/tokens/${user}/${id}.json`,
  userTokensPrefix: (user: string) => `auth/tokens/${user}/`,
} as const;
