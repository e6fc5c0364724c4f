import type { Store } from '@factorywager/r2-store';
import { RegistryError } from '../errors.ts';
import { authKeys } from './_keys.ts';
import { hashPassword, PBKDF2_ITERATIONS, verifyPassword, type PasswordHash } from './password.ts';
import type { FailureLimiter } from './_rate-limit.ts';

/** A user as stored at `auth/users/<name>.json`. */
export interface UserRecord {
  /**
   * Random id of this account: tokens are bound to it, so an account created later under the same
   * name (after a delete) never inherits them. Records from before ids get one at their next login.
   */
  id: string;
  name: string;
  email?: string;
  password: PasswordHash;
  created: string;
  updated: string;
  /** Profile fields `npm profile set` may change. */
  fullname?: string;
  homepage?: string;
  twitter?: string;
  github?: string;
  freenode?: string;
}

/** The failed-login limiters: per user from one address, and per address over every user name. */
export interface LoginLimiters {
  /** Keyed `<user> <address>`: a stranger elsewhere never locks the owner out. */
  pair: FailureLimiter;
  /** Keyed by address, with a higher limit: bounds guessing over many user names from one place. */
  address: FailureLimiter;
}

/** The profile fields of {@link UserRecord} besides the e-mail. */
export const PROFILE_FIELDS = ['fullname', 'homepage', 'twitter', 'github', 'freenode'] as const;

// Spent on unknown users so that a miss costs what a wrong password costs.
let dummy: Promise<PasswordHash> | undefined;

/** Users and password checks, with failed attempts counted per user and address, and per address. */
export class Users {
  constructor(
    readonly store: Store,
    readonly limiters: LoginLimiters,
    readonly iterations = PBKDF2_ITERATIONS,
    /** Hashes with more iterations cannot be checked here (Cloudflare's Web Crypto refuses them). */
    readonly maxIterations = Number.POSITIVE_INFINITY,
  ) {}

  get(name: string): Promise<UserRecord | null> {
    return this.store.getJson<UserRecord>(authKeys.user(name));
  }

  /** Creates the user with a fresh id; null when it already exists (the caller then checks the password). */
  async create(name: string, password: string, email: string | undefined, nowIso: string): Promise<UserRecord | null> {
    const record: UserRecord = { id: crypto.randomUUID(), name, password: await hashPassword(password, this.iterations), created: nowIso, updated: nowIso };
    if (email) record.email = email;
    try {
      await this.store.putJson(authKeys.user(name), record, { ifNoneMatch: '*' });
      return record;
    } catch (err) {
      if ((err as { code?: unknown }).code === 'PRECONDITION_FAILED') return null;
      throw err;
    }
  }

  /** True when `address` failed too many logins over all user names. */
  addressBlocked(address: string | null): boolean {
    return address !== null && this.limiters.address.blocked(address);
  }

  /**
   * Checks `password` for `name`; throws RATE_LIMITED when this user failed too often from this
   * address (or the address over all names), UNAUTHORIZED on a wrong password or an unknown user
   * (same message, same cost).
   */
  async check(name: string, password: string, address: string | null): Promise<UserRecord> {
    const pairKey = `${name} ${address ?? '-'}`;
    const { pair, address: byAddress } = this.limiters;
    if (pair.blocked(pairKey) || this.addressBlocked(address)) {
      throw new RegistryError('RATE_LIMITED', 'too many failed logins: try again later');
    }
    // Counted before the slow hash: concurrent guesses must not all pass the check above.
    pair.fail(pairKey);
    if (address) byAddress.fail(address);
    const forgive = () => {
      pair.forgive(pairKey);
      if (address) byAddress.forgive(address);
    };
    let user: UserRecord | null;
    let ok = false;
    try {
      user = await this.get(name);
      if (user && user.password.iterations > this.maxIterations) {
        throw new RegistryError('INVALID_CONFIG', `the password of ${name} is hashed with ${user.password.iterations} PBKDF2 iterations, more than this runtime can check (${this.maxIterations}, the Cloudflare Workers limit): an administrator re-creates the account with \`fw registry user delete ${name}\` and \`fw registry user add ${name} --iterations ${this.maxIterations}\``);
      }
      if (user) {
        ok = await verifyPassword(password, user.password);
      } else {
        dummy ??= hashPassword('dummy', this.iterations);
        await verifyPassword(password, await dummy);
      }
    } catch (err) {
      forgive(); // a store failure is no failed login
      throw err;
    }
    if (!user || !ok) throw new RegistryError('UNAUTHORIZED', 'incorrect user name or password');
    pair.reset(pairKey);
    if (address) byAddress.forgive(address);
    if (user.password.iterations < this.iterations || typeof user.id !== 'string') return this.#upgrade(name, password, user);
    return user;
  }

  /** Applies `change` to the stored record (a new password is hashed here); NOT_FOUND when the user is gone. */
  async update(name: string, change: { password?: string; email?: string; fields?: Partial<Record<(typeof PROFILE_FIELDS)[number], string | null>> }, nowIso: string): Promise<UserRecord> {
    const hash = change.password === undefined ? undefined : await hashPassword(change.password, this.iterations);
    const result = await this.store.updateJson<UserRecord>(authKeys.user(name), (cur) => {
      if (!cur) throw new RegistryError('NOT_FOUND', `no user ${name}`);
      const next: UserRecord = { ...cur, updated: nowIso };
      if (hash) next.password = hash;
      if (change.email !== undefined) next.email = change.email;
      for (const field of PROFILE_FIELDS) {
        const value = change.fields?.[field];
        if (value === null || value === '') delete next[field];
        else if (value !== undefined) next[field] = value;
      }
      return next;
    });
    return result.value!;
  }

  // Raises the cost of an old hash, and gives a record from before user ids its id.
  async #upgrade(name: string, password: string, user: UserRecord): Promise<UserRecord> {
    const next = user.password.iterations < this.iterations ? await hashPassword(password, this.iterations) : user.password;
    const result = await this.store.updateJson<UserRecord>(authKeys.user(name), (cur) =>
      cur ? {
        ...cur,
        id: typeof cur.id === 'string' ? cur.id : crypto.randomUUID(),
        // a password changed meanwhile stays as it is
        password: cur.password?.hash === user.password.hash ? next : cur.password,
        updated: new Date().toISOString(),
      } : undefined);
    if (!result.value) throw new RegistryError('UNAUTHORIZED', 'incorrect user name or password');
    return result.value;
  }
}
