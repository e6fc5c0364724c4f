import type { Hono } from 'hono';
import { keys } from '@factorywager/r2-store';
import { createWebUi, type PackageData, type WebSource } from '@factorywager/web';
import { check, type HandlerContext } from './_context.ts';
import { assertPackageName } from './_names.ts';
import type { Principal } from './auth/types.ts';
import { downloadsKey, type DownloadCounts } from './packages/downloads.ts';
import { readHistory, type VersionRecord } from './packages/history.ts';
import { queryEntries, summaryOf } from './packages/index-search.ts';
import type { IndexView } from './packages/package-index.ts';
import { isLive } from './packages/packument.ts';
import { onBehalfOf } from './_request-origin.ts';

// The page shows the newest 100 events; one more tells it there are more (each event is an object to read).
const HISTORY_LIMIT = 101;

/**
 * Mounts the web UI (@factorywager/web) at `/`, `/package/*` (asked for as HTML; npm clients ask
 * for JSON and reach the packument routes) and `/-/web/*`. Its reads come from the package index,
 * the packument cache and the history with the caller's access checked; its changes are requests to
 * `api`, this handler itself.
 * @example
 * mountWeb(app, ctx, () => handler);
 */
export function mountWeb(app: Hono, ctx: HandlerContext, api: () => (req: Request) => Promise<Response>, options: { listPages?: number } = {}): void {
  const web = createWebUi({ source: webSource(ctx, api), publicUrl: ctx.publicUrl, now: () => ctx.now().getTime(), ...options });
  app.get('/', (c) => web.fetch(c.req.raw));
  app.all('/-/web/*', (c) => web.fetch(c.req.raw));
  app.get('/package/*', async (c, next) => {
    if (web.handles(c.req.raw)) return web.fetch(c.req.raw);
    await next();
  });
}

function webSource(ctx: HandlerContext, api: () => (req: Request) => Promise<Response>): WebSource {
  const principalOf = async (token: string | null): Promise<Principal | null> =>
    token ? ctx.auth.authenticate(new Request(ctx.publicUrl, { headers: { authorization: `Bearer ${token}` } })) : null;
  return {
    async whoami(token) {
      const p = await principalOf(token).catch(() => null);
      return p ? { name: p.name } : null;
    },
    async list(token, { q, from, size }) {
      const principal = await principalOf(token);
      const seen = await ctx.readable(principal);
      const hits = queryEntries(seen.view.entries, q, ctx.index.searchQueries, seen.filter ?? undefined);
      return { total: hits.total, rows: hits.slice(from, size).map(summaryOf) };
    },
    async package(token, rawName, version): Promise<PackageData | null> {
      const name = assertPackageName(rawName);
      const principal = await principalOf(token);
      if (!ctx.auth.can(principal, 'access', name)) return null;
      const local = await ctx.service.cache.read(name);
      const view = await ctx.index.view();
      let doc = isLive(local?.doc ?? null) ? local!.doc : null;
      let uplink: string | null = null;
      let quarantine: Awaited<ReturnType<typeof ctx.uplinks.quarantine>> = null;
      if (!doc) {
        doc = (await ctx.uplinks.packument(name))?.doc ?? null;
        if (!doc) return null;
        quarantine = await ctx.uplinks.quarantine(name);
        uplink = quarantine?.uplink ?? view.get(name)?.uplink ?? ctx.uplinks.for(name)[0]?.[0] ?? 'upstream';
      } else {
        const entry = view.get(name);
        // An index entry older than the manifest (a crash between the two writes) is repaired here.
        if (!entry || entry.uplink || entry.rev < (Number.parseInt(doc._rev, 10) || 0)) void ctx.index.recordQuietly(doc);
      }
      const latest = doc['dist-tags'].latest;
      const shown = version ?? latest ?? null;
      await ctx.service.written(name);
      const [downloads, record, history] = await Promise.all([
        uplink ? null : ctx.store.getJson<DownloadCounts>(downloadsKey(name)),
        uplink || !shown || !Object.hasOwn(doc.versions, shown) ? null : ctx.store.getJson<VersionRecord>(keys.versionRecord(name, shown)),
        uplink ? null : readHistory(ctx.store, name, { limit: HISTORY_LIMIT }),
      ]);
      const inManifest = shown && Object.hasOwn(doc.versions, shown) ? doc.versions[shown]!.readme : undefined;
      const readme = record?.readme ?? (typeof inManifest === 'string' ? inManifest : null) ?? (shown === latest && typeof doc.readme === 'string' ? doc.readme : null);
      return {
        name,
        ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
        distTags: doc['dist-tags'],
        versions: doc.versions,
        time: doc.time,
        sizes: doc._fw?.sizes ?? {},
        downloads: downloads?.versions ?? {},
        readme,
        maintainers: (doc.maintainers ?? []).filter((m) => typeof m?.name === 'string'),
        dependents: view.dependents(name).filter((d) => ctx.auth.can(principal, 'access', d)),
        history: history?.events ?? [],
        uplink,
        // The same check the API makes: the package rules, then its maintainers where those decide.
        canPublish: !uplink && principal !== null && (await check(ctx, principal, 'publish', name).then(() => true, () => false)),
        ...(quarantine ? { quarantined: quarantine.quarantined, minReleaseAge: quarantine.minReleaseAge } : {}),
      };
    },
    api: (req, from) => api()(from ? onBehalfOf(req, from) : req),
  };
}
