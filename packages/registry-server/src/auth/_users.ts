import type { Store } from '@factorywager/r2-store';
import { RegistryError } from '../errors.ts';
import { authKeys } from './_keys.ts';
import { hashPassword, PBKDF2_ITERATIONS, verifyPassword, type PasswordHash } from './password.ts';
import type { FailureLimiter } from './_rate-limit.ts';

/** A user as stored at `auth/users/<name>.json`. */
export interface UserRecord {
  name: string;
  email?: string;
  password: PasswordHash;
  created: string;
  updated: string;
}

// Spent on unknown users so that a miss costs what a wrong password costs.
let dummy: Promise<PasswordHash> | undefined;

/** Users and password checks, with failed attempts counted per user and per address. */
export class Users {
  constructor(
    readonly store: Store,
    readonly limiter: FailureLimiter,
    readonly iterations = PBKDF2_ITERATIONS,
  ) {}

  get(name: string): Promise<UserRecord | null> {
    return this.store.getJson<UserRecord>(authKeys.user(name));
  }

  /** Creates the user; false when it already exists (the caller then checks the password). */
  async create(name: string, password: string, email: string | undefined, nowIso: string): Promise<boolean> {
    const record: UserRecord = { name, password: await hashPassword(password, this.iterations), created: nowIso, updated: nowIso };
    if (email) record.email = email;
    try {
      await this.store.putJson(authKeys.user(name), record, { ifNoneMatch: '*' });
      return true;
    } catch (err) {
      if ((err as { code?: unknown }).code === 'PRECONDITION_FAILED') return false;
      throw err;
    }
  }

  /**
   * Checks `password` for `name`; throws RATE_LIMITED when the user or the address failed too often,
   * UNAUTHORIZED on a wrong password or an unknown user (same message, same cost).
   */
  async check(name: string, password: string, address: string | null): Promise<UserRecord> {
    const keys = [`user:${name}`, ...(address ? [`addr:${address}`] : [])];
    if (keys.some((k) => this.limiter.blocked(k))) {
      throw new RegistryError('RATE_LIMITED', 'too many failed logins: try again later');
    }
    // Counted before the slow hash: concurrent guesses must not all pass the check above.
    for (const k of keys) this.limiter.fail(k);
    let user: UserRecord | null;
    let ok = false;
    try {
      user = await this.get(name);
      if (user) {
        ok = await verifyPassword(password, user.password);
      } else {
        dummy ??= hashPassword('dummy', this.iterations);
        await verifyPassword(password, await dummy);
      }
    } catch (err) {
      for (const k of keys) this.limiter.forgive(k); // a store failure is no failed login
      throw err;
    }
    if (!user || !ok) throw new RegistryError('UNAUTHORIZED', 'incorrect user name or password');
    this.limiter.reset(`user:${name}`);
    if (address) this.limiter.forgive(`addr:${address}`);
    if (user.password.iterations < this.iterations) await this.#rehash(name, password);
    return user;
  }

  // Raises the cost of an old hash on the next successful login.
  async #rehash(name: string, password: string): Promise<void> {
    const next = await hashPassword(password, this.iterations);
    await this.store.updateJson<UserRecord>(authKeys.user(name), (cur) =>
      cur ? { ...cur, password: next, updated: new Date().toISOString() } : undefined);
  }
}
