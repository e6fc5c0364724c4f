import { Hono } from 'hono';
import { RegistryError } from './errors.ts';
import { actorOf, authorize, type HandlerContext } from './_context.ts';
import { etagMatches, isPlainObject, json, readJson } from './_http.ts';
import { assertPackageName, assertTag, assertVersion, parsePackagePath } from './_names.ts';
import { writeGraphFile } from './packages/graph-file.ts';
import { GraphCache, graphQuery } from './packages/graph-view.ts';
import { HISTORY_EVENT_TYPES, readHistory, type HistoryEventType, type ReadHistoryOptions } from './packages/history.ts';
import { isLive } from './packages/packument.ts';

const GRAPH_PREFIX = '/-/fw/graph/';
const REASON_MAX = 500;

/**
 * Graph, history and rollback, under `/-/fw/`:
 * - `GET graph/:pkg?format=json|ascii|mermaid&range=&limit=&since=&color=` the version graph, for
 *   local and uplink packages, rendered once per manifest etag;
 * - `GET history?package=&limit=&type=publish,rollback` events newest first (`readHistory` gives
 *   them oldest first);
 * - `POST rollback` `{ package, version, tag?, reason?, force?, from? }` moves a tag back or forward.
 * @example
 * app.route('/', fwRoutes(ctx));
 */
export function fwRoutes(ctx: HandlerContext): Hono {
  const app = new Hono();
  const graphs = new GraphCache();

  app.get(`${GRAPH_PREFIX}*`, async (c) => {
    const url = new URL(c.req.url);
    const { name, rest } = parsePackagePath(url.pathname.slice(GRAPH_PREFIX.length).split('/'));
    if (rest.length > 0) throw new RegistryError('NOT_FOUND', 'no such route');
    assertPackageName(name);
    await authorize(ctx, c.req.raw, 'access', name);
    const query = graphQuery(url.searchParams);
    const local = await ctx.service.cache.read(name);
    const found = isLive(local?.doc ?? null) ? local : await ctx.uplinks.packument(name);
    if (!found) throw new RegistryError('NOT_FOUND', `package ${name} not found`);
    let rendered = graphs.lookup(name, found.etag, query);
    if (!rendered) {
      rendered = graphs.render(name, found.doc, found.etag, query);
      // First render for this manifest: bring the derived graph.json up to date when it lags.
      if (found === local) await writeGraphFile(ctx.store, name, found.doc).catch(() => {});
    }
    const headers: Record<string, string> = { etag: rendered.etag, 'cache-control': 'no-cache', vary: 'Accept-Encoding' };
    if (etagMatches(c.req.header('if-none-match') ?? null, rendered.etag)) return new Response(null, { status: 304, headers });
    headers['content-type'] = rendered.contentType;
    if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? '') && rendered.body.size > 1024) {
      headers['content-encoding'] = 'gzip';
      return new Response(await graphs.gzipped(rendered), { headers });
    }
    return new Response(rendered.body, { headers });
  });

  app.get('/-/fw/history', async (c) => {
    const name = assertPackageName(c.req.query('package') ?? '');
    await authorize(ctx, c.req.raw, 'access', name);
    await ctx.service.written(name);
    const history = await readHistory(ctx.store, name, historyQuery(c.req.query('limit'), c.req.query('type')));
    if (!history) throw new RegistryError('NOT_FOUND', `no history for ${name}`);
    return json({ name: history.name, events: history.events.reverse() });
  });

  app.post('/-/fw/rollback', async (c) => {
    const body = await readJson(c.req.raw, 64 * 1024);
    if (!isPlainObject(body) || typeof body.package !== 'string') {
      throw new RegistryError('BAD_REQUEST', 'body must be { "package", "version", "tag"?, "reason"?, "force"?, "from"? }');
    }
    const name = assertPackageName(body.package);
    const tag = assertTag(body.tag === undefined ? 'latest' : String(body.tag));
    const version = assertVersion(body.version);
    if (body.force !== undefined && typeof body.force !== 'boolean') throw new RegistryError('BAD_REQUEST', 'force must be true or false');
    const from = body.from === undefined || body.from === null ? body.from : assertVersion(body.from);
    const reason = cleanReason(body.reason);
    const who = await authorize(ctx, c.req.raw, 'publish', name);
    const result = await ctx.service.rollback(name, tag, version, actorOf(who), {
      force: body.force === true,
      ...(reason ? { reason } : {}),
      ...(from !== undefined ? { from } : {}),
    });
    return json({
      changed: result.changed, package: name, tag, from: result.from, to: result.to,
      'dist-tags': result.distTags, ...(result.event ? { event: result.event } : {}),
    });
  });

  return app;
}

/** `limit` and `type` of a history request, checked. */
function historyQuery(limit: string | undefined, type: string | undefined): ReadHistoryOptions {
  const query: ReadHistoryOptions = {};
  if (limit !== undefined && limit !== '') {
    if (!/^[1-9]\d{0,6}$/.test(limit)) throw new RegistryError('BAD_REQUEST', `limit must be a positive whole number, not ${JSON.stringify(limit.slice(0, 50))}`);
    query.limit = Number(limit);
  }
  if (type !== undefined && type !== '') {
    const types = type.split(',').map((t) => t.trim()).filter(Boolean);
    const unknown = types.find((t) => !(HISTORY_EVENT_TYPES as readonly string[]).includes(t));
    if (unknown !== undefined) throw new RegistryError('BAD_REQUEST', `unknown event type ${JSON.stringify(unknown.slice(0, 50))} (try: ${HISTORY_EVENT_TYPES.join(', ')})`);
    query.type = types as HistoryEventType[];
  }
  return query;
}

/** A rollback reason: control characters dropped, trimmed, at most 500 characters; undefined when empty. */
function cleanReason(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new RegistryError('BAD_REQUEST', 'reason must be a string');
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  if ([...text].length > REASON_MAX) throw new RegistryError('BAD_REQUEST', `reason is longer than ${REASON_MAX} characters`);
  return text || undefined;
}
