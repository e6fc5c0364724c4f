import { Hono, type Context } from 'hono';
import type { Principal } from './auth/types.ts';
import { actorOf, check, type HandlerContext } from './_context.ts';
import { RegistryError } from './errors.ts';
import { isPlainObject, json, readJson } from './_http.ts';
import { assertPackageName } from './_names.ts';
import { assertUserName } from './auth/_keys.ts';
import type { IndexEntry } from './packages/index-entry.ts';
import { maintainersOf, type Maintainer } from './packages/maintainers.ts';
import { packageMaintainers, setMaintainers, setStar, starredBy } from './packages/owners.ts';
import type { Packument } from './packages/packument.ts';

const MAX_MAINTAINERS = 100;

/** `npm star` / `npm unstar` send `{ _id, _rev, users }` and nothing else. */
export const isStarBody = (body: unknown): body is { users: Record<string, unknown> } =>
  isPlainObject(body) && isPlainObject(body.users) && body.versions === undefined && body._attachments === undefined && body.maintainers === undefined;

/** `npm owner add/rm` sends `{ _id, _rev, maintainers }` to `/<pkg>/-rev/<rev>`. */
export const isOwnerBody = (body: Record<string, unknown>): boolean =>
  Array.isArray(body.maintainers) && body.versions === undefined && body._attachments === undefined;

/** The maintainer entry for a principal: its name and the e-mail of its user record. */
export async function maintainerOf(ctx: HandlerContext, who: Principal | null): Promise<Maintainer> {
  const name = actorOf(who);
  const user = who ? await ctx.auth.user(who.name) : null;
  return { name, ...(user?.email ? { email: user.email } : {}) };
}

/** Stars or unstars for the caller: any user who may read the package may star it. */
export async function star(ctx: HandlerContext, principal: Principal, name: string, body: { users: Record<string, unknown> }): Promise<Response> {
  await check(ctx, principal, 'access', name);
  const doc = await setStar(ctx.service, name, principal.name, body.users[principal.name] === true);
  return json({ ok: true, id: name, rev: doc._rev });
}

/** The maintainer entry of a registered user (its e-mail from its record, never from a body). */
async function registeredUser(ctx: HandlerContext, name: unknown): Promise<Maintainer> {
  if (typeof name !== 'string') throw new RegistryError('BAD_REQUEST', 'maintainers must be a list of { "name": "..." }');
  const user = await ctx.auth.user(name);
  if (!user) throw new RegistryError('NOT_FOUND', `no user ${JSON.stringify(name.slice(0, 64))}: maintainers must be registered users`);
  return { name: user.name, ...(user.email ? { email: user.email } : {}) };
}

/**
 * The maintainer list of an `npm owner add/rm`: every name must be a user; the caller needs the
 * publish right (a maintainer, or a role a rule names).
 */
export async function changeOwners(ctx: HandlerContext, principal: Principal | null, name: string, rev: string, body: Record<string, unknown>): Promise<Response> {
  const who = await check(ctx, principal, 'publish', name);
  const list = body.maintainers as unknown[];
  if (list.length > MAX_MAINTAINERS) throw new RegistryError('BAD_REQUEST', `at most ${MAX_MAINTAINERS} maintainers`);
  const next: Maintainer[] = [];
  for (const n of new Set(list.map((m) => (isPlainObject(m) ? m.name : m)))) next.push(await registeredUser(ctx, n));
  const doc = await setMaintainers(ctx.service, name, rev, () => next, actorOf(who));
  return json({ ok: true, id: name, rev: doc._rev });
}

/**
 * `/-/package/<pkg>/collaborators` (npm access list collaborators; pnpm asks `?format=cli` and reads
 * a list) and pnpm's `/-/package/<pkg>/owners[/<user>]` (GET lists, PUT `{ user }` adds, DELETE removes).
 */
export async function packageOwnersRoute(ctx: HandlerContext, req: Request, method: string, name: string, rest: string[]): Promise<Response> {
  const principal = await ctx.auth.authenticate(req);
  if (rest[0] === 'collaborators' && rest.length === 1 && method === 'GET') {
    await check(ctx, principal, 'access', name);
    const map = await collaboratorMap(ctx, await liveDoc(ctx, name), name);
    if (new URL(req.url).searchParams.get('format') !== 'cli') return json(map);
    const emails = await Promise.all(Object.keys(map).map(async (u) => (await ctx.auth.user(u))?.email ?? ''));
    return json(Object.entries(map).map(([user, permissions], i) => ({ user, email: emails[i], permissions })));
  }
  if (rest[0] !== 'owners' || rest.length > 2) throw new RegistryError('NOT_FOUND', 'route not found');
  if (method === 'GET' && rest.length === 1) {
    await check(ctx, principal, 'access', name);
    const doc = await liveDoc(ctx, name);
    const list = maintainersOf(doc).length ? maintainersOf(doc) : await packageMaintainers(ctx.service, name);
    return json(list.map((m) => ({ username: m.name, email: m.email ?? '' })));
  }
  if (method === 'PUT' && rest.length === 1) {
    const who = await check(ctx, principal, 'publish', name);
    const body = await readJson(req, 64 * 1024);
    const added = await registeredUser(ctx, isPlainObject(body) ? body.user : undefined);
    await setMaintainers(ctx.service, name, null, (now) => (now.some((m) => m.name === added.name) ? now : [...now, added]), actorOf(who));
    return json({ ok: true });
  }
  if (method === 'DELETE' && rest.length === 2) {
    const who = await check(ctx, principal, 'publish', name);
    const gone = rest[1]!;
    await setMaintainers(ctx.service, name, null, (now) => now.filter((m) => m.name !== gone), actorOf(who));
    return json({ ok: true });
  }
  throw new RegistryError('NOT_FOUND', `no route for ${req.method} on ${name} owners`);
}

async function liveDoc(ctx: HandlerContext, name: string): Promise<Packument> {
  const doc = (await ctx.service.cache.read(name))?.doc ?? null;
  if (!doc || !Object.keys(doc.versions).length) throw new RegistryError('NOT_FOUND', `package ${name} not found`);
  return doc;
}

/** Users who may publish `name`: its maintainers, and configured users a rule names (by name or role). */
async function collaboratorMap(ctx: HandlerContext, doc: Packument, name: string): Promise<Record<string, 'read-write'>> {
  const out: Record<string, 'read-write'> = {};
  const maintainers = maintainersOf(doc);
  for (const m of maintainers.length ? maintainers : await packageMaintainers(ctx.service, name)) out[m.name] = 'read-write';
  for (const u of ctx.auth.configuredUsers()) {
    const p: Principal = { name: u.name, roles: u.roles, readOnly: false };
    if (ctx.auth.can(p, 'publish', name) && !ctx.auth.needsMaintainer(p, 'publish', name)) out[u.name] = 'read-write';
  }
  return out;
}

/**
 * `npm access list packages [user|scope]` (`/-/org/<scope>/package`, then `/-/user/<name>/package`)
 * and `npm stars` (`/-/_view/starredByUser?key="<name>"`), over the packages the caller may read.
 * @example
 * app.route('/', ownerRoutes(ctx));
 */
export function ownerRoutes(ctx: HandlerContext): Hono {
  const app = new Hono();
  // From the package index (maintainers and stars are in each entry), never every packument.
  const visible = async (req: Request) => {
    const principal = await ctx.auth.authenticate(req);
    return { principal, docs: (await ctx.readable(principal)).local };
  };

  app.get('/-/org/:scope/package', async (c) => {
    const scope = c.req.param('scope').replace(/^@/, '');
    assertPackageName(`@${scope}/x`);
    const { principal, docs } = await visible(c.req.raw);
    const inScope = docs.filter((d) => d.name.startsWith(`@${scope}/`));
    if (!inScope.length) throw new RegistryError('NOT_FOUND', `no packages in @${scope}`);
    const out: Record<string, 'read-write' | 'read-only'> = {};
    for (const d of inScope) {
      const rw = principal && ctx.auth.can(principal, 'publish', d.name)
        && (!ctx.auth.needsMaintainer(principal, 'publish', d.name) || (d.maintainers ?? []).includes(principal.name));
      out[d.name] = rw ? 'read-write' : 'read-only';
    }
    return json(out);
  });

  const maintainedBy = (docs: readonly IndexEntry[], user: string) => {
    const out: Record<string, 'read-write'> = {};
    for (const d of docs) if ((d.maintainers ?? []).includes(user)) out[d.name] = 'read-write';
    return out;
  };

  app.get('/-/user/:user/package', async (c) => {
    const user = c.req.param('user');
    assertUserName(user);
    const { docs } = await visible(c.req.raw);
    if (!(await ctx.auth.user(user))) throw new RegistryError('NOT_FOUND', `no user ${user}`);
    return json(maintainedBy(docs, user));
  });

  // pnpm's `access list packages` without an argument: the caller's own.
  app.get('/-/-/package', async (c) => {
    const { principal, docs } = await visible(c.req.raw);
    if (!principal) throw new RegistryError('UNAUTHORIZED', 'log in to list your packages');
    return json(maintainedBy(docs, principal.name));
  });

  // pnpm's `star` / `unstar`: `{ name, package }` for the caller.
  const starRoute = (starred: boolean) => async (c: Context) => {
    const principal = await ctx.auth.authenticate(c.req.raw);
    if (!principal) throw new RegistryError('UNAUTHORIZED', 'log in to star packages');
    const body = await readJson(c.req.raw, 64 * 1024);
    const name = isPlainObject(body) ? body.package ?? body.name : undefined;
    if (typeof name !== 'string') throw new RegistryError('BAD_REQUEST', 'body must be { "package": "<name>" }');
    return star(ctx, principal, assertPackageName(name), { users: { [principal.name]: starred } });
  };
  app.put('/-/user/v1/star', starRoute(true));
  app.delete('/-/user/v1/star', starRoute(false));

  // pnpm's `stars [user]`: a list of names.
  app.get('/-/user/:user/stars', async (c) => {
    const user = c.req.param('user');
    assertUserName(user);
    const { docs } = await visible(c.req.raw);
    if (!(await ctx.auth.user(user))) throw new RegistryError('NOT_FOUND', `no user ${user}`);
    return json(docs.filter((d) => d.stars?.includes(user)).map((d) => d.name));
  });

  app.get('/-/_view/starredByUser', async (c) => {
    let user: unknown;
    try {
      user = JSON.parse(c.req.query('key') ?? '');
    } catch {
      throw new RegistryError('BAD_REQUEST', 'key must be a JSON string: ?key="<user>"');
    }
    assertUserName(user);
    const { docs } = await visible(c.req.raw);
    return json({ rows: docs.filter((d) => (d.stars ?? []).includes(user as string)).map((d) => ({ key: user, value: d.name })) });
  });

  return app;
}
