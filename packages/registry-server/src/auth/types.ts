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
  /** Routes for /-/user/*, /-/whoami, /-/v1/login, /-/npm/v1/tokens*. */
  routes: Hono;
}
