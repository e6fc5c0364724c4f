import { Hono } from 'hono';
import type { Store } from '@factorywager/r2-store';
import type { Auth } from './auth/types.ts';
import type { RegistryConfig } from './config/types.ts';
import { errorOf, errorResponse, toRegistryError } from './_error-response.ts';
import { RegistryError } from './errors.ts';
import type { HandlerContext } from './_context.ts';
import { json } from './_http.ts';
import { fwRoutes } from './_routes-fw.ts';
import { packageRoute, proxyVia } from './_routes-packages.ts';
import { proxyRoutes } from './_routes-proxy.ts';
import { withUpstreamSearch } from './proxy/search.ts';
import { mountWeb } from './_routes-web.ts';
import { StatsCounter } from './packages/catalog.ts';
import type { IndexEntry } from './packages/index-entry.ts';
import { readableEntries } from './_readable.ts';
import { SearchAnswers } from './_search-answers.ts';
import { searchIndex, summaryOf } from './packages/index-search.ts';
import { PackageIndex } from './packages/package-index.ts';
import { parseDuration } from './config/_duration.ts';
import { feedRoutes } from './_routes-feeds.ts';
import { ownerRoutes } from './_routes-owners.ts';
import { DownloadCounter } from './packages/downloads.ts';
import { PackageService } from './packages/package-service.ts';
import { DEFAULT_METADATA_LIMITS, type MetadataLimits } from './packages/manifest-fields.ts';
import type { TarballReader } from './packages/tarball-reader.ts';
import type { PublishOwner, RepairNote } from './packages/publish-journal.ts';
import { Uplinks, type FetchLike } from './uplinks.ts';
import { baseConfig } from './config/defaults.ts';
import { TarballCache } from './packages/tarball-cache.ts';
import { fastGet } from './_fast-get.ts';

/** One structured request log line. Paths never carry tokens (token ids in paths are redacted). */
export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  /** The error message of a failed request; for 5xx the cause is logged as `cause`. */
  error?: string;
  cause?: string;
}

/** The parts of {@link RegistryConfig} the handler reads. */
export type RegistryHandlerConfig = Pick<RegistryConfig, 'publicUrl' | 'packages' | 'uplinks'> & {
  limits?: Partial<RegistryConfig['limits']>;
  index?: Partial<RegistryConfig['index']>;
  cache?: Partial<RegistryConfig['cache']>;
} & Partial<Pick<RegistryConfig, 'minReleaseAge' | 'minReleaseAgeExclude' | 'upstreamSearchTimeout'>>;

export interface RegistryHandlerDeps {
  store: Store;
  config: RegistryHandlerConfig;
  auth: Auth;
  logger?: (entry: RequestLogEntry) => void;
  /**
   * Reads publish tarballs with npm's tar parser: `readTarball` from `@factorywager/registry-server/node`
   * (node-tar needs Node's streams, so the portable core does not import it). Without one, publishes
   * answer 500.
   */
  readTarball?: TarballReader;
  /** Tells whether the writer of a half-done publish is alive (process ids on Node and Bun; see server.ts). */
  publishOwner?: PublishOwner;
  /** Used for uplinks; default globalThis.fetch. */
  fetch?: FetchLike;
  now?: () => Date;
  /**
   * Serve cached packuments for this long without a `head` of the manifest (default: the config's
   * `cache.packumentRevalidate`, 0: every GET revalidates, so replicas over one store never serve a
   * stale packument).
   */
  packumentRevalidateMs?: number;
  /** Keeps work a request started (download counts) alive after its response: a Worker's `ctx.waitUntil`. */
  background?: (req: Request, work: Promise<unknown>) => void;
  /**
   * Concurrent requests share in-flight reads (a packument's revalidation, an index rebuild, an
   * uplink fetch), and stats wait for running download-count writes. Default true. False on Workers:
   * there a request must never await I/O another request started (workerd runs the waiting code in
   * the other request's context, failing with "Cannot perform I/O on behalf of a different request",
   * and cancels the waiting request as hung once the other ends), so each request does its own.
   */
  shareInflight?: boolean;
}

/**
 * The handler: a web `fetch` function (as Bun.serve's, Workers' and Hono's: a Response or a promise
 * of one; the hot GETs the cache can answer from memory come back synchronously) plus `idle()`
 * (resolves once download counts and the graph.json files written after answering are stored) and
 * `repair()` (finishes publishes a killed server left half done; run it on start).
 */
export type RegistryHandler = ((req: Request) => Response | Promise<Response>) & { idle(): Promise<void>; repair(): Promise<RepairNote[]> };

const DEFAULT_MAX_BODY = 100 * 1024 * 1024;
/** The least time between two writes of one package's download counts (Bun and Node). */
const DOWNLOAD_WRITE_GAP_MS = 1000;
const DEFAULT_MIN_RELEASE_AGE = 86_400;

/** Hides token ids and legacy tokens that some npm routes carry in their path (also in malformed paths). */
/** The path of a request URL without its query: sliced when plain, through URL when it has dot segments or escapes. */
function pathOf(url: string): string {
  const at = url.indexOf('/', url.indexOf('//') + 2);
  if (at < 0) return '/';
  const query = url.indexOf('?', at);
  const path = query < 0 ? url.slice(at) : url.slice(at, query);
  return /\/\.|[%\\#]/.test(path) ? new URL(url).pathname : path;
}

function logPath(pathname: string): string {
  if (!/token/i.test(pathname)) return pathname;
  return pathname.replace(/(\/-\/npm\/v1\/tokens\/token\/|\/-\/user\/token\/)[^/]+/gi, '$1[redacted]');
}

/**
 * The npm registry protocol as `(Request) => Promise<Response>`, runnable on Bun, Node and Workers
 * (no `node:` imports). Packuments (full and abbreviated), tarballs, publish, dist-tags, deprecate,
 * unpublish, search, uplinks; users and tokens come from `auth.routes`. Ours, under `/-/fw/`:
 * `GET packages` (list), `GET stats`, and the graph, history and rollback routes of `fwRoutes`:
 * `GET graph/:pkg?format=json|ascii|mermaid`, `GET history?package=&limit=&type=`, `POST rollback`
 * with `{ package, version, tag?, reason?, force?, from? }` (moves a tag back or forward).
 * Release feeds (RSS 2.0, Atom) under `/-/rss` come from `feedRoutes`.
 * @example
 * const handler = createRegistryHandler({ store: createStore({ driver: 'memory' }), config, auth });
 * Bun.serve({ port: 4873, fetch: handler });
 */
export function createRegistryHandler(deps: RegistryHandlerDeps): RegistryHandler {
  const now = deps.now ?? (() => new Date());
  const publicUrl = deps.config.publicUrl.replace(/\/+$/, '');
  const limits = deps.config.limits ?? {};
  const maxBodySize = limits.maxBodySize ?? DEFAULT_MAX_BODY;
  const metadataLimits: MetadataLimits = {
    maxDistTags: limits.maxDistTags ?? DEFAULT_METADATA_LIMITS.maxDistTags,
    maxDeprecationLength: limits.maxDeprecationLength ?? DEFAULT_METADATA_LIMITS.maxDeprecationLength,
    maxReadmeSize: limits.maxReadmeSize ?? DEFAULT_METADATA_LIMITS.maxReadmeSize,
  };
  const index = new PackageIndex(deps.store, {
    cacheTtlMs: (deps.config.index?.cacheTtl ?? 1) * 1000,
    rebuildAfterMs: (parseDuration(deps.config.index?.rebuildAfter ?? '1d') ?? 86_400) * 1000,
    searchQueries: deps.config.index?.searchQueries ?? 64,
    now: () => now().getTime(),
    servedUplinkDoc: (doc) => ctx.uplinks.guarded(doc),
    shareInflight: deps.shareInflight ?? true,
  });
  const caches = { ...baseConfig().cache, ...deps.config.cache };
  const service = new PackageService(deps.store, now, deps.packumentRevalidateMs ?? caches.packumentRevalidate * 1000, publicUrl, index);
  service.cache.limits = { maxEntries: caches.packuments, maxBytes: caches.packumentBytes };
  service.cache.stampMaxAgeMs = (caches.changeMapMaxAge ?? 1) * 1000;
  service.cache.shareReads = deps.shareInflight ?? true;
  service.commits.share = deps.shareInflight ?? true;
  service.metadata = metadataLimits;
  if (deps.publishOwner) service.owner = deps.publishOwner;
  const ctx: HandlerContext = {
    store: deps.store,
    auth: deps.auth,
    service,
    publicUrl,
    maxBodySize,
    tarballLimits: { maxUnpackedSize: limits.maxUnpackedSize ?? maxBodySize * 4, maxEntries: limits.maxTarballEntries ?? 100_000 },
    metadataLimits,
    readTarball: deps.readTarball,
    now,
    // one count write per package a second where requests share work; on Workers each download's
    // request keeps its own write alive (waitUntil), so none waits for a gap
    downloads: new DownloadCounter(deps.store, undefined, deps.shareInflight === false ? 0 : DOWNLOAD_WRITE_GAP_MS),
    ...(deps.background ? { background: deps.background } : {}),
    index,
    readable: (principal) => readable(principal),
    tarballs: new TarballCache({ maxBytes: caches.tarballBytes, maxSize: caches.tarballMaxSize }),
    uplinks: new Uplinks({
      store: deps.store, packages: deps.config.packages ?? [], uplinks: deps.config.uplinks ?? {}, publicUrl,
      fetch: deps.fetch ?? ((url, init) => globalThis.fetch(url, init)), now, maxBodySize,
      onCached: (doc, uplink, fetchedAt) => index.recordQuietly(doc, { uplink, rev: fetchedAt }),
      minReleaseAge: deps.config.minReleaseAge ?? DEFAULT_MIN_RELEASE_AGE, minReleaseAgeExclude: deps.config.minReleaseAgeExclude ?? [],
      instanceId: crypto.randomUUID().slice(0, 8),
      shareInflight: deps.shareInflight ?? true,
    }),
  };
  const readable = readableEntries(ctx, deps.config.index?.callers ?? 100);
  const searchTimeout = deps.config.upstreamSearchTimeout ?? 1500;
  const stats = new StatsCounter(ctx.store, caches.statsTtl * 1000, () => now().getTime());
  ctx.downloads.onWritten = (name) => stats.changed(name);
  // The package list's JSON, serialized once per index view and caller.
  // Kept as Blobs: a Response of one shares its bytes, where one of a Uint8Array copies them (Bun
  // 1.4): a stats load of 5 s on a fresh server peaked at 159 MB of RSS with bytes, 122-129 MB so.
  const listBodies = new WeakMap<readonly IndexEntry[], Blob>();
  const statsBodies = new WeakMap<readonly IndexEntry[], { version: number; body: Blob }>();
  const searchAnswers = new SearchAnswers(ctx.index.searchQueries);
  const hasUplinks = ctx.uplinks.all().length > 0;
  const jsonBlob = (value: unknown) => new Blob([JSON.stringify(value)], { type: 'application/json' });

  const app = new Hono();
  app.get('/-/ping', () => json({}));
  app.route('/', proxyRoutes(ctx));
  app.get('/-/v1/search', async (c) => {
    const size = Math.min(Math.max(Number.parseInt(c.req.query('size') ?? '20', 10) || 20, 1), 250);
    const from = Math.max(Number.parseInt(c.req.query('from') ?? '0', 10) || 0, 0);
    const text = c.req.query('text') ?? '';
    const seen = await readable(await ctx.auth.authenticate(c.req.raw));
    const at = now();
    const answer = () => withUpstreamSearch(searchIndex(seen.view.entries, text, size, from, at, ctx.index.searchQueries, seen.filter ?? undefined), { text, size, from }, {
      uplinks: ctx.uplinks, localNames: async () => seen.localNames as Set<string>, timeoutMs: searchTimeout, via: proxyVia(ctx, c.req.raw),
    });
    // without uplinks the answer is the index's alone: the same bytes for the rest of this second
    if (hasUplinks) return json(await answer());
    return new Response(await searchAnswers.answer(seen, `${size}\n${from}\n${text}`, at.toUTCString(), answer), { headers: { 'content-type': 'application/json' } });
  });
  app.get('/-/fw/packages', async (c) => {
    const { entries } = await readable(await ctx.auth.authenticate(c.req.raw));
    let body = listBodies.get(entries);
    if (body === undefined) listBodies.set(entries, (body = jsonBlob({ packages: entries.map(summaryOf) })));
    return new Response(body, { headers: { 'content-type': 'application/json' } });
  });
  app.get('/-/fw/stats', async (c) => {
    // on Workers the running writes belong to other requests: counts being written may be left out
    const share = deps.shareInflight !== false;
    const { local } = await readable(await ctx.auth.authenticate(c.req.raw));
    const version = await stats.refresh(local, share ? () => ctx.downloads.idle() : undefined, share);
    // figured and serialized once per index view, caller and read of the download totals
    const last = statsBodies.get(local);
    if (last?.version === version) return new Response(last.body, { headers: { 'content-type': 'application/json' } });
    const body = jsonBlob(stats.figures(local));
    statsBodies.set(local, { version, body });
    return new Response(body, { headers: { 'content-type': 'application/json' } });
  });
  app.route('/', fwRoutes(ctx));
  app.route('/', feedRoutes(ctx));
  app.route('/', ownerRoutes(ctx));
  app.route('/', deps.auth.routes);
  mountWeb(app, ctx, () => async (req) => handler(req), { listPages: caches.webListPages });
  app.all('*', (c) => packageRoute(ctx, c.req.raw));
  app.onError((err) => errorResponse(toRegistryError(err)));

  const finish = (req: Request, res: Response, started: number): Response => {
    if (!deps.logger) return res;
    let path = req.url;
    try { path = logPath(pathOf(path)); } catch { /* keep raw */ }
    const entry: RequestLogEntry = { method: req.method, path, status: res.status, ms: Math.round((performance.now() - started) * 100) / 100 };
    const e = res.status >= 400 ? errorOf(res) : undefined;
    if (e) {
      entry.error = e.message;
      if (e.status >= 500) entry.cause = String((e.cause as Error)?.stack ?? e.cause ?? e.message).slice(0, 2000);
    }
    try {
      deps.logger(entry);
    } catch { /* a failing log sink never fails the request */ }
    return res;
  };
  const answer = async (req: Request, fast: Promise<Response | null> | null, started: number): Promise<Response> => {
    let res: Response;
    try {
      res = (fast && (await fast)) ?? (await app.fetch(req));
    } catch (err) {
      res = errorResponse(toRegistryError(err));
    }
    return finish(req, res, started);
  };
  const handler = (req: Request): Response | Promise<Response> => {
    const started = deps.logger ? performance.now() : 0;
    let fast: Response | Promise<Response | null> | null;
    try {
      // A runtime builds the URL from the Host header; a malformed one must be a 400, not a 500.
      if (!URL.canParse(req.url)) throw new RegistryError('BAD_REQUEST', 'malformed request URL or Host header');
      fast = fastGet(ctx, req);
    } catch (err) {
      return finish(req, errorResponse(toRegistryError(err)), started);
    }
    // an answer from memory goes back as it is: no promise, no await
    return fast instanceof Response ? finish(req, fast, started) : answer(req, fast, started);
  };
  return Object.assign(handler, { idle: async () => { await Promise.all([ctx.downloads.idle(), service.settled()]); }, repair: () => service.repair() });
}
