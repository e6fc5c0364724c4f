import { Hono } from 'hono';
import { check, type HandlerContext } from './_context.ts';
import { RegistryError } from './errors.ts';
import { assertPackageName, parsePackagePath } from './_names.ts';
import type { Principal } from './auth/types.ts';
import { readHistory, type HistoryEvent } from './packages/history.ts';
import type { Packument } from './packages/packument.ts';
import { FEED_EVENT_TYPES, isPrerelease, releaseItem, renderReleaseFeed, type FeedEvent } from './feeds/release-feed.ts';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
const SCOPE = /^@[a-z0-9][a-z0-9._~-]*$/i;

interface FeedQuery { format: 'rss' | 'atom'; stable: boolean; limit: number }

function parseQuery(url: URL): FeedQuery {
  const format = url.searchParams.get('format') ?? 'rss';
  if (format !== 'rss' && format !== 'atom') throw new RegistryError('BAD_REQUEST', `format must be "rss" or "atom", got ${JSON.stringify(format.slice(0, 20))}`);
  const channel = url.searchParams.get('channel') ?? 'all';
  if (channel !== 'all' && channel !== 'stable') throw new RegistryError('BAD_REQUEST', `channel must be "stable" or "all", got ${JSON.stringify(channel.slice(0, 20))}`);
  const rawLimit = url.searchParams.get('limit') ?? String(DEFAULT_LIMIT);
  const limit = Number(rawLimit);
  if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > MAX_LIMIT) throw new RegistryError('BAD_REQUEST', `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  return { format, stable: channel === 'stable', limit };
}

/**
 * Release feeds: `GET /-/rss` (every package the caller may read), `/-/rss/@scope`, `/-/rss/<pkg>`
 * (`@scope/name` or `@scope%2fname`); `?format=atom`, `?channel=stable`, `?limit=` (1-200, default
 * 50). Feed readers rarely send headers, so a read-only token may come as `?token=`; a token that
 * may publish is refused there (URLs end up in logs, histories and shared subscriptions), and request
 * logs carry only the path, never the query.
 * @example
 * app.route('/', feedRoutes(ctx));
 */
export function feedRoutes(ctx: HandlerContext): Hono {
  const read = async (name: string) => (await ctx.service.cache.read(name))?.doc ?? null;

  async function principalOf(req: Request, url: URL): Promise<Principal | null> {
    const token = url.searchParams.get('token');
    if (token === null) return ctx.auth.authenticate(req);
    if (!token) throw new RegistryError('UNAUTHORIZED', 'the token parameter is empty');
    const principal = await ctx.auth.authenticate(new Request(url, { headers: { authorization: `Bearer ${token}` } }));
    if (principal && !principal.readOnly) {
      throw new RegistryError('FORBIDDEN', 'a token in a feed URL must be read-only: create one with npm token create --read-only');
    }
    return principal;
  }

  async function eventsOf(name: string, q: FeedQuery): Promise<FeedEvent[]> {
    // Prereleases are filtered after reading: read more so that a stable feed still fills its limit.
    await ctx.service.written(name);
    const history = await readHistory(ctx.store, name, { type: [...FEED_EVENT_TYPES], limit: q.stable ? q.limit * 4 : q.limit });
    if (!history) return [];
    const doc: Packument | null = await read(name).catch(() => null);
    return history.events.map((event: HistoryEvent) => ({ name, event, doc }));
  }

  async function respond(url: URL, q: FeedQuery, title: string, description: string, events: FeedEvent[]): Promise<Response> {
    const items = await Promise.all(events.map((e) => releaseItem(e, ctx.publicUrl)));
    const order = items.map((item, i) => ({ item, i }));
    order.sort((a, b) => b.item.date.getTime() - a.item.date.getTime() || b.i - a.i);
    const kept = order.map((o) => o.item).filter((it) => !(q.stable && isPrerelease(it.version))).slice(0, q.limit);
    const self = new URL(`${ctx.publicUrl}${url.pathname}`);
    if (q.format === 'atom') self.searchParams.set('format', 'atom');
    if (q.stable) self.searchParams.set('channel', 'stable');
    const body = renderReleaseFeed(kept, {
      title, description, self: self.toString(), publicUrl: ctx.publicUrl, format: q.format,
      updated: kept[0]?.date ?? new Date(0),
    });
    return new Response(body, {
      headers: {
        'content-type': `${q.format === 'atom' ? 'application/atom+xml' : 'application/rss+xml'}; charset=utf-8`,
        'cache-control': 'private, no-cache',
      },
    });
  }

  const names = async () => (await ctx.index.view()).entries.map((e) => e.name);

  async function many(principal: Principal | null, filter: (name: string) => boolean, q: FeedQuery): Promise<FeedEvent[]> {
    const visible = (await names()).filter((n) => filter(n) && ctx.auth.can(principal, 'access', n));
    return (await Promise.all(visible.map((n) => eventsOf(n, q)))).flat();
  }

  const app = new Hono();
  app.get('/-/rss', async (c) => {
    const url = new URL(c.req.url);
    const q = parseQuery(url);
    const principal = await principalOf(c.req.raw, url);
    return respond(url, q, 'FactoryWager Registry releases', `Releases on ${ctx.publicUrl}`, await many(principal, () => true, q));
  });
  app.get('/-/rss/*', async (c) => {
    const url = new URL(c.req.url);
    const q = parseQuery(url);
    const segments = url.pathname.split('/').slice(3);
    const principal = await principalOf(c.req.raw, url);
    const first = decodeURIComponent(segments[0] ?? '');
    if (segments.length === 1 && SCOPE.test(first)) {
      const events = await many(principal, (n) => n.startsWith(`${first}/`), q);
      if (events.length === 0 && !(await names()).some((n) => n.startsWith(`${first}/`) && ctx.auth.can(principal, 'access', n))) {
        if (!principal) throw new RegistryError('UNAUTHORIZED', `log in (or add ?token= with a read-only token) to read the ${first} feed`);
        throw new RegistryError('NOT_FOUND', `no packages in ${first} that you may read`);
      }
      return respond(url, q, `${first} releases`, `Releases of ${first} packages on ${ctx.publicUrl}`, events);
    }
    const { name, rest } = parsePackagePath(segments);
    if (rest.length > 0) throw new RegistryError('NOT_FOUND', 'no such feed');
    assertPackageName(name);
    await check(ctx, principal, 'access', name);
    const events = await eventsOf(name, q);
    if (events.length === 0 && !(await readHistory(ctx.store, name, { limit: 1 }))) throw new RegistryError('NOT_FOUND', `package ${name} not found`);
    return respond(url, q, `${name} releases`, `Releases of ${name} on ${ctx.publicUrl}`, events);
  });
  return app;
}
