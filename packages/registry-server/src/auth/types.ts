import type { Hono } from 'hono';

/** Who made a request, once a token was verified. */
export interface Principal {
  name: string;
  /** Id of the user record (tokens are bound to it); absent only for principals of test fakes. */
  userId?: string;
  /** Roles from the config's `users` section. */
  roles: string[];
  /** A read-only token may read but never publish, tag, deprecate or unpublish. */
  readOnly: boolean;
  /** Id of the token used (for revocation and `npm token list`). */
  tokenId?: string;
}

/** A user as others may see it: `GET /-/user/org.couchdb.user:<name>`, maintainers' e-mails. */
export interface PublicUser {
  name: string;
  email?: string;
  created?: string;
}

/** What a package rule grants. */
export type PackageAction = 'access' | 'publish' | 'unpublish';

/**
 * The auth module the handler composes. `authenticate` returns null when no credentials were sent
 * and throws RegistryError('UNAUTHORIZED') for a bad, forged, expired or revoked token.
 */
export interface Auth {
  authenticate(req: Request): Promise<Principal | null>;
  /** The first package rule whose pattern matches `pkg` decides. */
  can(principal: Principal | null, action: PackageAction, pkg: string): boolean;
  /**
   * True when `can` allows the action only through a group grant that the rule keeps to maintainers:
   * the handler then also requires the principal to maintain the package (when it has maintainers).
   */
  needsMaintainer(principal: Principal | null, action: PackageAction, pkg: string): boolean;
  /** The public part of a user (never the password hash), or null when there is no such user. */
  user(name: string): Promise<PublicUser | null>;
  /** Names of the users the config lists (with roles); used to name who a rule grants publish to. */
  configuredUsers(): Array<{ name: string; roles: string[] }>;
  /** Routes for /-/user/*, /-/whoami, /-/v1/login, /-/npm/v1/tokens*. */
  routes: Hono;
}
