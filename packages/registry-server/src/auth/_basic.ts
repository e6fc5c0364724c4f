import { RegistryError } from '../errors.ts';
import { decodeBase64 } from '../_crypto.ts';
import { assertUserName } from './_keys.ts';
import type { UserRecord, Users } from './_users.ts';

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

const invalid = () => new RegistryError('UNAUTHORIZED', 'invalid basic credentials: send user:password (npm _auth) or log in');

/**
 * `Authorization: Basic base64(user:password)`, as npm sends its `_auth` (or `username` plus
 * `_password`) setting, on every request. The password is checked with the slow hash and the failed-
 * login limits once; then a keyed digest of the credentials is remembered for a few minutes, and each
 * later request only reads the user record (the same read a token costs) to see that the account and
 * its password are still the ones checked: a deleted user or a changed password fails at once.
 * @example
 * const basic = new BasicCredentials(users, Date.now);
 * const user = await basic.verify('YWxpY2U6c2VjcmV0', '10.0.0.1');
 */
export class BasicCredentials {
  readonly #seen = new Map<string, { id: string; hash: string; until: number }>();
  #key: Promise<CryptoKey> | undefined;

  constructor(private readonly users: Users, private readonly now: () => number) {}

  async verify(encoded: string, address: string | null): Promise<UserRecord> {
    const bytes = decodeBase64(encoded);
    if (!bytes) throw invalid();
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw invalid();
    }
    const colon = text.indexOf(':');
    if (colon < 1) throw invalid();
    const name = text.slice(0, colon);
    const password = text.slice(colon + 1);
    try {
      assertUserName(name);
    } catch {
      throw invalid();
    }
    const digest = await this.#digest(text);
    const seen = this.#seen.get(digest);
    if (seen && seen.until > this.now()) {
      const user = await this.users.get(name);
      if (user && user.id === seen.id && user.password.hash === seen.hash) return user;
      this.#seen.delete(digest);
    }
    const user = await this.users.check(name, password, address);
    if (this.#seen.size >= MAX_ENTRIES) this.#seen.clear();
    this.#seen.set(digest, { id: user.id, hash: user.password.hash, until: this.now() + TTL_MS });
    return user;
  }

  // HMAC under a key of this process: the map never holds a plain hash of a password.
  async #digest(text: string): Promise<string> {
    this.#key ??= crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']) as Promise<CryptoKey>;
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await this.#key, new TextEncoder().encode(text)));
    let hex = '';
    for (const b of mac) hex += b.toString(16).padStart(2, '0');
    return hex;
  }
}
