import type { Store } from '@factorywager/r2-store';
import { RegistryError } from '../errors.ts';
import { assertUserName, authKeys } from './_keys.ts';
import { deleteAllTokens } from './_tokens.ts';
import type { UserRecord } from './_users.ts';
import { hashPassword, PBKDF2_ITERATIONS } from './password.ts';

/** What {@link addUser} created. */
export interface AddedUser {
  name: string;
  id: string;
  created: string;
}

/**
 * Creates an account as an administrator (`fw registry user add`), straight in the store: the way to
 * create the accounts the config names, which open sign-up refuses. CONFLICT when the user exists.
 * @example
 * await addUser(store, 'alice', 'a long password', { email: 'alice@example.com' });
 */
export async function addUser(
  store: Store, name: string, password: string,
  opts: { email?: string; iterations?: number; now?: () => Date } = {},
): Promise<AddedUser> {
  assertUserName(name);
  if (password.length < 8) throw new RegistryError('BAD_REQUEST', 'password too short (at least 8 characters)');
  if (password.length > 1024) throw new RegistryError('BAD_REQUEST', 'password too long (at most 1024 characters)');
  const created = (opts.now?.() ?? new Date()).toISOString();
  const record: UserRecord = {
    id: crypto.randomUUID(), name, password: await hashPassword(password, opts.iterations ?? PBKDF2_ITERATIONS), created, updated: created,
    ...(opts.email ? { email: opts.email } : {}),
  };
  try {
    await store.putJson(authKeys.user(name), record, { ifNoneMatch: '*' });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'PRECONDITION_FAILED') throw new RegistryError('CONFLICT', `user ${name} exists`);
    throw err;
  }
  // an administrator re-creating a deleted account reopens its name (and its maintainer entries)
  await store.delete(authKeys.deletedUser(name));
  return { name, id: record.id, created };
}

/**
 * Deletes an account and revokes every token of its name (`fw registry user delete`). The user record
 * goes first: from then on its tokens fail on every replica, even while their records are deleted.
 * The name stays closed to open sign-up (a tombstone is written before the record goes): packages
 * name their maintainers by user name, so whoever signed up with it next would inherit them; only
 * {@link addUser} re-creates it. NOT_FOUND when there was neither a user nor a token.
 * @example
 * const { tokensRevoked } = await deleteUser(store, 'mallory');
 */
export async function deleteUser(store: Store, name: string): Promise<{ name: string; tokensRevoked: number }> {
  assertUserName(name);
  const old = await store.getJson<UserRecord>(authKeys.user(name));
  const existed = old !== null;
  if (old) {
    await store.putJson(authKeys.deletedUser(name), { name, id: old.id, deleted: new Date().toISOString() });
    await store.delete(authKeys.user(name));
  }
  const tokensRevoked = await deleteAllTokens(store, name);
  if (!existed && tokensRevoked === 0) throw new RegistryError('NOT_FOUND', `no user ${name}`);
  return { name, tokensRevoked };
}
