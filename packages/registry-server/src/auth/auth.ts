import { Hono, type Context } from 'hono';
import type { Store } from '@factorywager/r2-store';
import type { RegistryConfig } from '../config/types.ts';
import { parseDuration } from '../config/_duration.ts';
import { RegistryError } from '../errors.ts';
import { errorResponse as sharedErrorResponse, toRegistryError } from '../_error-response.ts';
import { isPlainObject, readJson as readJsonBody } from '../_http.ts';
import { checkAccess, needsMaintainer } from './access.ts';
import { inCidrs, isIpv4Cidr } from './_cidr.ts';
import { assertUserName, authKeys, isTokenId } from './_keys.ts';
import { BasicCredentials } from './_basic.ts';
import { FailureLimiter } from './_rate-limit.ts';
import { assertSignupAllowed } from './signup-policy.ts';
import { issueToken, listTokens, resolveSigningKey, verifyToken, type TokenRecord } from './_tokens.ts';
import { Users } from './_users.ts';
import { profileRoutes, publicUser } from './_profile-routes.ts';
import type { Auth, Principal } from './types.ts';
import { originalRequest } from '../_request-origin.ts';

export interface AuthDeps {
  store: Store;
  config: Pick<RegistryConfig, 'auth' | 'users' | 'packages'>;
  /** Clock in ms (tests move it). Default Date.now. */
  now?: () => number;
  /** The peer address the runtime saw (Bun.serve's requestIP, node's socket). */
  clientAddress?: (req: Request) => string | null | undefined;
  /** PBKDF2 iterations for new hashes (default 600,000); older hashes are raised on the next login. */
  passwordIterations?: number;
  /**
   * The most PBKDF2 iterations this runtime can compute (Cloudflare Workers: 100,000). A login against
   * a stored hash with more fails with an error that says how to re-create the account. Default none.
   */
  maxPasswordIterations?: number;
  /**
   * Concurrent requests share the one read of a signing key kept in the store (default true). False
   * on Workers, where a request must never await I/O another request started: each reads it for
   * itself until one has it, and later requests take that value.
   */
  shareInflight?: boolean;
}

const LOGIN_WINDOW_MS = 15 * 60_000;
const SIGNUP_WINDOW_MS = 60 * 60_000;
/** One address may fail this many times the per-user limit over all user names. */
const ADDRESS_FACTOR = 5;
const MAX_AUTH_BODY = 64 * 1024;

/** The JSON error answer every route of the registry gives: `{ "error": "..." }` with the code's status. */
function errorResponse(err: unknown): Response {
  const res = sharedErrorResponse(toRegistryError(err));
  if (res.status === 429) res.headers.set('retry-after', String(LOGIN_WINDOW_MS / 1000));
  return res;
}

// The limit is applied here, not as a `use('*')` middleware: these routes are mounted into the
// handler's app at '/', where such a middleware would also cap package publishes.
async function readJson(c: Context): Promise<Record<string, unknown>> {
  const body = await readJsonBody(c.req.raw, MAX_AUTH_BODY);
  if (!isPlainObject(body)) throw new RegistryError('BAD_REQUEST', 'the request body must be a JSON object');
  return body;
}

function tokenView(r: TokenRecord) {
  return {
    key: r.key, token: r.token, cidr_whitelist: r.cidr_whitelist.length ? r.cidr_whitelist : null, readonly: r.readonly, created: r.created, updated: r.updated,
    ...(r.expires ? { expires: r.expires } : {}), ...(r.name ? { name: r.name } : {}),
  };
}

/**
 * The auth module: users in the store, HS256 JWTs whose ids are recorded (so revocation is instant on
 * every replica), failed-login limits, and the package rules of the config.
 * @example
 * const auth = createAuth({ store, config });
 * const app = new Hono().route('/', auth.routes);
 * const who = await auth.authenticate(request); // Principal | null, or throws UNAUTHORIZED
 * auth.can(who, 'publish', '@acme/ui');
 */
export function createAuth(deps: AuthDeps): Auth {
  const { store, config } = deps;
  const now = deps.now ?? Date.now;
  const max = config.auth.maxLoginAttempts;
  const users = new Users(store, {
    pair: new FailureLimiter(max, LOGIN_WINDOW_MS, now),
    address: new FailureLimiter(max * ADDRESS_FACTOR, LOGIN_WINDOW_MS, now),
  }, deps.passwordIterations, deps.maxPasswordIterations);
  const signups = new FailureLimiter(config.auth.maxSignupsPerAddress ?? 10, SIGNUP_WINDOW_MS, now);
  const basic = new BasicCredentials(users, now);
  const ttlSeconds = parseDuration(config.auth.tokenTtl) ?? 30 * 86_400;
  let signingKey: Promise<Uint8Array> | undefined;
  const key = () => {
    if (signingKey) return signingKey;
    const pending = resolveSigningKey(store, config.auth.secret).catch((err) => {
      if (signingKey === pending) signingKey = undefined;
      throw err;
    });
    // unshared, a promise is kept only once settled: awaiting it then does no other request's I/O
    if (deps.shareInflight === false) void pending.then(() => { signingKey ??= pending; }, () => {});
    else signingKey = pending;
    return pending;
  };

  const address = (inner: Request): string | null => {
    const req = originalRequest(inner);
    if (config.auth.trustProxy) {
      const forwarded = req.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
      if (forwarded) return forwarded;
    }
    return deps.clientAddress?.(req) ?? null;
  };

  async function authenticate(req: Request): Promise<Principal | null> {
    const header = req.headers.get('authorization');
    if (!header) return null;
    const basicAuth = /^Basic\s+(\S+)\s*$/i.exec(header);
    if (basicAuth) {
      const user = await basic.verify(basicAuth[1]!, address(req));
      return { name: user.name, userId: user.id, roles: config.users[user.name]?.roles ?? [], readOnly: false };
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new RegistryError('UNAUTHORIZED', 'unsupported authorization: send a bearer token (npm login) or Basic user:password');
    const { user, userId, record } = await verifyToken(store, await key(), m[1]!, now());
    if (record.cidr_whitelist.length > 0 && !inCidrs(address(req), record.cidr_whitelist)) {
      throw new RegistryError('UNAUTHORIZED', 'this token is not valid from your address');
    }
    return { name: user, userId, roles: config.users[user]?.roles ?? [], readOnly: record.readonly, tokenId: record.key };
  }

  const owner = (p: Principal) => {
    if (!p.userId) throw new RegistryError('UNAUTHORIZED', 'log in again');
    return { name: p.name, id: p.userId };
  };

  async function requirePrincipal(req: Request): Promise<Principal> {
    const principal = await authenticate(req);
    if (!principal) throw new RegistryError('UNAUTHORIZED', 'log in first (npm login)');
    return principal;
  }

  const routes = new Hono();
  routes.onError((err) => errorResponse(err));

  // adduser and login: npm sends the same document to both.
  routes.put('/-/user/:id', async (c) => {
    const id = c.req.param('id');
    if (!id.startsWith('org.couchdb.user:')) throw new RegistryError('NOT_FOUND', 'not found');
    const name = id.slice('org.couchdb.user:'.length);
    assertUserName(name);
    const body = await readJson(c);
    if (body.name !== undefined && body.name !== name) throw new RegistryError('BAD_REQUEST', 'the name in the body differs from the name in the path');
    const { password, email } = body;
    if (typeof password !== 'string' || password.length === 0) throw new RegistryError('BAD_REQUEST', 'a password is required');
    if (password.length > 1024) throw new RegistryError('BAD_REQUEST', 'password too long (at most 1024 characters)');
    const nowIso = new Date(now()).toISOString();
    const from = address(c.req.raw);
    let user = null;
    if (config.auth.allowRegistration && !(await users.get(name))) {
      assertSignupAllowed(name, config);
      if (await store.head(authKeys.deletedUser(name))) {
        throw new RegistryError('FORBIDDEN', `the account "${name}" was deleted by an administrator and packages may still name it as a maintainer: only an administrator re-creates it (fw registry user add ${name})`);
      }
      if (password.length < 8) throw new RegistryError('BAD_REQUEST', 'password too short (at least 8 characters)');
      const signupKey = from ?? '-';
      if (users.addressBlocked(from) || signups.blocked(signupKey)) throw new RegistryError('RATE_LIMITED', 'too many sign-ups or failed logins from your address: try again later');
      signups.fail(signupKey);
      user = await users.create(name, password, typeof email === 'string' ? email : undefined, nowIso);
    }
    const created = user !== null;
    user ??= await users.check(name, password, from);
    const { token } = await issueToken(store, await key(), user, { readonly: false, cidr: [], ttlSeconds, nowMs: now(), name: 'login' });
    return c.json({ ok: created ? `user '${name}' created` : `you are authenticated as '${name}'`, id, token }, 201);
  });

  // npm 11 tries web login first and falls back to the couchdb flow on any 4xx.
  routes.post('/-/v1/login', () => errorResponse(new RegistryError('NOT_FOUND', 'web login is not supported here: use the couchdb login flow')));

  routes.get('/-/whoami', async (c) => c.json({ username: (await requirePrincipal(c.req.raw)).name }));

  // npm logout
  routes.delete('/-/user/token/:token', async (c) => {
    const { user, record } = await verifyToken(store, await key(), c.req.param('token'), now());
    await store.delete(authKeys.token(user, record.key));
    return c.json({ ok: true });
  });

  routes.get('/-/npm/v1/tokens', async (c) => {
    const principal = await requirePrincipal(c.req.raw);
    const records = await listTokens(store, owner(principal), now());
    return c.json({ objects: records.map(tokenView), total: records.length, urls: {} });
  });

  routes.post('/-/npm/v1/tokens', async (c) => {
    const principal = await requirePrincipal(c.req.raw);
    const body = await readJson(c);
    if (typeof body.password !== 'string') throw new RegistryError('BAD_REQUEST', 'a password is required to create a token');
    // npm 11 sends `packages_and_scopes_permission` (`--packages-and-scopes-permission read-only`);
    // its `--read-only` flag is accepted but not sent. Older clients send `readonly`.
    const readonly = body.readonly === true || body.packages_and_scopes_permission === 'read-only';
    const name = typeof body.name === 'string' ? body.name.slice(0, 100) : undefined;
    if (principal.readOnly && !readonly) throw new RegistryError('FORBIDDEN', 'a read-only token cannot create a read-write token');
    const cidr = body.cidr_whitelist ?? [];
    if (!Array.isArray(cidr) || !cidr.every(isIpv4Cidr)) throw new RegistryError('BAD_REQUEST', 'cidr_whitelist must be a list of IPv4 CIDRs');
    let ttl = ttlSeconds;
    if (body.expires !== undefined) {
      if (!Number.isInteger(body.expires) || (body.expires as number) < 1) throw new RegistryError('BAD_REQUEST', 'expires must be a whole number of days');
      ttl = Math.min(ttl, (body.expires as number) * 86_400);
    }
    await users.check(principal.name, body.password, address(c.req.raw));
    const { token, record } = await issueToken(store, await key(), owner(principal), { readonly, cidr: cidr as string[], ttlSeconds: ttl, nowMs: now(), name });
    return c.json({ ...tokenView(record), token }, 201);
  });

  // `npm token revoke` sends a key from the list, or a whole token.
  routes.delete('/-/npm/v1/tokens/token/:key', async (c) => {
    const principal = await requirePrincipal(c.req.raw);
    if (principal.readOnly) throw new RegistryError('FORBIDDEN', 'a read-only token cannot revoke tokens');
    const param = c.req.param('key');
    const id = isTokenId(param) ? param : (await verifyToken(store, await key(), param, now()).catch(() => null))?.record.key;
    if (!id || !(await store.head(authKeys.token(principal.name, id)))) throw new RegistryError('NOT_FOUND', 'no such token');
    await store.delete(authKeys.token(principal.name, id));
    return c.body(null, 204);
  });

  routes.route('/', profileRoutes({ store, users, now, requirePrincipal, address }));

  return {
    authenticate,
    can: (principal, action, pkg) => checkAccess(config.packages, principal, action, pkg),
    needsMaintainer: (principal, action, pkg) => needsMaintainer(config.packages, principal, action, pkg),
    user: async (name) => {
      try {
        assertUserName(name);
      } catch {
        return null;
      }
      const u = await users.get(name);
      return u ? publicUser(u) : null;
    },
    configuredUsers: () => Object.entries(config.users).map(([name, u]) => ({ name, roles: u.roles })),
    routes,
  };
}
