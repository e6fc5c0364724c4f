import { Hono } from 'hono';
import type { Store } from '@factorywager/r2-store';
import { RegistryError } from '../errors.ts';
import { isPlainObject, readJson } from '../_http.ts';
import { assertUserName } from './_keys.ts';
import { revokeTokens } from './_tokens.ts';
import { PROFILE_FIELDS, type UserRecord, type Users } from './_users.ts';
import type { Principal, PublicUser } from './types.ts';

const MAX_BODY = 64 * 1024;
const MAX_FIELD = 200;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export interface ProfileRouteDeps {
  store: Store;
  users: Users;
  now: () => number;
  requirePrincipal: (req: Request) => Promise<Principal>;
  address: (req: Request) => string | null;
}

/** The public part of a user record: never the password hash. */
export function publicUser(u: UserRecord): PublicUser {
  return { name: u.name, ...(u.email ? { email: u.email } : {}), created: u.created };
}

/** What `npm profile get` shows: name, e-mail (never verified here: no mail is sent), 2FA off. */
function profileView(u: UserRecord) {
  const fields: Record<string, string> = {};
  for (const f of PROFILE_FIELDS) if (u[f]) fields[f] = u[f]!;
  return { name: u.name, email: u.email ?? '', email_verified: false, tfa: null, created: u.created, updated: u.updated, ...fields };
}

function text(value: unknown, field: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') throw new RegistryError('BAD_REQUEST', `${field} must be a string`);
  const clean = value.replace(CONTROL, '').trim();
  if (clean.length > MAX_FIELD) throw new RegistryError('BAD_REQUEST', `${field} is too long (at most ${MAX_FIELD} characters)`);
  return clean;
}

function email(value: unknown): string | undefined {
  const e = text(value, 'email');
  if (e === null || e === undefined || e === '') return undefined;
  if (!/^[^\s@]+@[^\s@]+$/.test(e)) throw new RegistryError('BAD_REQUEST', 'email must look like name@example.com');
  return e;
}

/**
 * `GET /-/user/org.couchdb.user:<name>` (npm owner add looks users up there), `GET /-/npm/v1/user`
 * (npm profile get) and `POST /-/npm/v1/user` (npm profile set; a password change needs the old
 * password and revokes every other token of the user).
 * @example
 * routes.route('/', profileRoutes({ store, users, now, requirePrincipal, address }));
 */
export function profileRoutes(deps: ProfileRouteDeps): Hono {
  const { store, users, now } = deps;
  const routes = new Hono();

  routes.get('/-/user/:id', async (c) => {
    const id = c.req.param('id');
    if (!id.startsWith('org.couchdb.user:')) throw new RegistryError('NOT_FOUND', 'not found');
    await deps.requirePrincipal(c.req.raw);
    const name = id.slice('org.couchdb.user:'.length);
    assertUserName(name);
    const user = await users.get(name);
    if (!user) throw new RegistryError('NOT_FOUND', `no user ${name}`);
    return c.json({ _id: id, type: 'user', ...publicUser(user) });
  });

  routes.get('/-/npm/v1/user', async (c) => {
    const principal = await deps.requirePrincipal(c.req.raw);
    const user = await users.get(principal.name);
    if (!user) throw new RegistryError('UNAUTHORIZED', 'your user no longer exists: log in again');
    return c.json(profileView(user));
  });

  routes.post('/-/npm/v1/user', async (c) => {
    const principal = await deps.requirePrincipal(c.req.raw);
    if (principal.readOnly) throw new RegistryError('FORBIDDEN', 'a read-only token cannot change the profile');
    const body = await readJson(c.req.raw, MAX_BODY);
    if (!isPlainObject(body)) throw new RegistryError('BAD_REQUEST', 'the request body must be a JSON object');
    const change: Parameters<Users['update']>[1] = { fields: {} };
    for (const f of PROFILE_FIELDS) {
      const v = text(body[f], f);
      if (v !== undefined) change.fields![f] = v;
    }
    if (body.email !== undefined && body.email !== null) change.email = email(body.email);
    let revoked = 0;
    if (body.password !== undefined && body.password !== null) {
      const p = body.password;
      if (!isPlainObject(p) || typeof p.old !== 'string' || typeof p.new !== 'string') {
        throw new RegistryError('BAD_REQUEST', 'password must be { "old": "...", "new": "..." }: the current password is required');
      }
      if (p.new.length < 8) throw new RegistryError('BAD_REQUEST', 'password too short (at least 8 characters)');
      if (p.new.length > 1024) throw new RegistryError('BAD_REQUEST', 'password too long (at most 1024 characters)');
      await users.check(principal.name, p.old, deps.address(c.req.raw)).catch((err: unknown) => {
        if ((err as { code?: unknown }).code === 'UNAUTHORIZED') throw new RegistryError('FORBIDDEN', 'the current password is incorrect');
        throw err;
      });
      change.password = p.new;
    }
    const updated = await users.update(principal.name, change, new Date(now()).toISOString());
    if (change.password !== undefined) revoked = await revokeTokens(store, { name: principal.name, id: updated.id ?? principal.userId ?? '' }, principal.tokenId, now());
    c.header('x-fw-revoked-tokens', String(revoked));
    return c.json(profileView(updated));
  });

  return routes;
}
