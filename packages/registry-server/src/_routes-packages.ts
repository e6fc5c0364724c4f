import { RegistryError } from './errors.ts';
import { negotiate } from './_negotiate.ts';
import { actorOf, authorize, check, type HandlerContext } from './_context.ts';
import { etagMatches, isPlainObject, json, readJson } from './_http.ts';
import { assertPackageName, assertTag, assertVersion, parsePackagePath, versionOfTarball } from './_names.ts';
import { keys } from '@factorywager/r2-store';
import { isLive, publicPackument, withTarballUrls, type Packument } from './packages/packument.ts';
import { hasAttachments, preparePublish } from './packages/publish-request.ts';
import { viaOf } from './proxy/_via.ts';
import { changeOwners, packageOwnersRoute, isOwnerBody, isStarBody, maintainerOf, star } from './_routes-owners.ts';

const ABBREVIATED = 'application/vnd.npm.install-v1+json';
const notFound = (what: string) => new RegistryError('NOT_FOUND', `${what} not found`);
const TAG_BODY_LIMIT = 64 * 1024;

/**
 * Every route under a package name: `/:pkg`, `/:pkg/:version`, `/:pkg/-/:file`, `/:pkg/-rev/:rev`,
 * `/:pkg/-/:file/-rev/:rev` and `/-/package/:pkg/dist-tags[/:tag]`, with the name as `@s%2fp` or `@s/p`.
 * Hand-dispatched on the raw path because a scoped name spans one or two segments.
 */
export async function packageRoute(ctx: HandlerContext, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const raw = url.pathname.slice(1).split('/');
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  if (raw[0] === '-' && raw[1] === 'package') {
    const { name, rest } = parsePackagePath(raw.slice(2));
    assertPackageName(name);
    if (rest[0] === 'collaborators' || rest[0] === 'owners') return packageOwnersRoute(ctx, req, method, name, rest);
    if (rest[0] !== 'dist-tags' || rest.length > 2) throw notFound('route');
    return distTags(ctx, req, method, name, rest[1]);
  }
  if (!raw[0] || raw[0].startsWith('-')) throw notFound('route');
  const { name, rest } = parsePackagePath(raw);
  assertPackageName(name, method === 'PUT' && rest.length === 0);
  const [a, b, c, d] = rest;
  if (rest.length === 0) {
    if (method === 'GET') return getPackument(ctx, req, url, name);
    if (method === 'PUT') return putPackage(ctx, req, name);
  } else if (a === '-' && b && rest.length === 2 && method === 'GET') {
    return getTarball(ctx, req, name, b);
  } else if (a === '-rev' && b && rest.length === 2) {
    if (method === 'PUT') return putRevision(ctx, req, name, b);
    if (method === 'DELETE') {
      const who = await authorize(ctx, req, 'unpublish', name);
      await ctx.service.unpublishPackage(name, b, actorOf(who));
      return json({ ok: true });
    }
  } else if (a === '-' && b && c === '-rev' && d && rest.length === 4 && method === 'DELETE') {
    await authorize(ctx, req, 'unpublish', name);
    await ctx.service.deleteTarball(name, b);
    return json({ ok: true });
  } else if (rest.length === 1 && a && method === 'GET') {
    return getVersion(ctx, req, name, a);
  }
  throw new RegistryError('NOT_FOUND', `no route for ${req.method} on ${name}`);
}

/**
 * The local packument, else an uplink's; null when neither has the package. A name that exists here
 * (even fully unpublished) is never looked up upstream: that is what makes dependency confusion
 * impossible (an upstream package can never stand in for, or add versions to, a local one).
 */
async function findDoc(ctx: HandlerContext, req: Request, name: string): Promise<{ doc: Packument; etag: string } | null> {
  const local = await ctx.service.cache.read(name);
  if (local) return isLive(local.doc) ? local : null;
  return ctx.uplinks.packument(name, proxyVia(ctx, req));
}

/** The hops a request has made, refused when it has been here before (an uplink loop). */
export function proxyVia(ctx: HandlerContext, req: Request): string[] {
  const via = viaOf(req);
  if (via.length) ctx.uplinks.checkLoop(via);
  return via;
}

/**
 * A body of bytes as a stream of that one chunk, from 8 KB up. Measured on Bun 1.4 (wrk -c50, a
 * response resolved after an await, as every revalidated GET is): a 32 KB Uint8Array body cost 75 us
 * of server CPU per request and a one-chunk stream 18 us (176 KB: 105 vs 36 us, the same as a bare
 * synchronous answer); below 8 KB both are cheap. The stream is sent chunked, without Content-Length.
 */
function sendable(body: Blob | Uint8Array, synchronous: boolean): BodyInit {
  if (synchronous || !(body instanceof Uint8Array) || body.byteLength < 8192) return body as BodyInit;
  return new ReadableStream<Uint8Array>({ start(c) { c.enqueue(body); c.close(); } });
}

/**
 * The answer for a rendered packument form: 304 on a matching If-None-Match, the (gzip) bytes
 * otherwise. `synchronous`: the handler returns it without having awaited anything, so the bytes go
 * as they are (with a Content-Length); after an await, large bytes go as a one-chunk stream (see
 * docs/performance.md: Bun 1.4 sends a byte body resolved after an await at several times the CPU).
 */
export function packumentResponse(req: Request, rendered: Rendered, abbreviated: boolean, wantGzip: boolean, synchronous = false): Response {
  const made = initsOf(rendered, abbreviated);
  if (etagMatches(req.headers.get('if-none-match'), rendered.etag)) return new Response(null, made.notModified);
  if (wantGzip && rendered.gz) return new Response(sendable(rendered.gz, synchronous), made.gzip);
  return new Response(sendable(rendered.body, synchronous), made.plain);
}

type Rendered = { body: Blob | Uint8Array; etag: string; gz?: Blob | Uint8Array };
interface RenderedInits { notModified: ResponseInit; plain: ResponseInit; gzip: ResponseInit }

// On Workers a body sent with Content-Encoding is compressed again unless marked as encoded already
// (`encodeBody: 'manual'`); elsewhere the field is left out, since the runtime would only read past it.
const ON_WORKERS = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers';

// The answer headers and inits of each rendered form, made once: a Response copies them, and
// building them from object literals per request was a measurable part of a hot GET.
const renderedInits = new WeakMap<Rendered, { full?: RenderedInits; abbreviated?: RenderedInits }>();

function initsOf(rendered: Rendered, abbreviated: boolean): RenderedInits {
  let forms = renderedInits.get(rendered);
  if (!forms) renderedInits.set(rendered, (forms = {}));
  const form = abbreviated ? 'abbreviated' : 'full';
  let made = forms[form];
  if (!made) {
    const base = { etag: rendered.etag, vary: 'Accept, Accept-Encoding', 'cache-control': 'no-cache' };
    const type = abbreviated ? ABBREVIATED : 'application/json';
    const gzip = new Headers({ ...base, 'content-type': type, 'content-encoding': 'gzip' });
    made = {
      notModified: { status: 304, headers: new Headers(base) },
      plain: { headers: new Headers({ ...base, 'content-type': type }) },
      gzip: ON_WORKERS ? ({ headers: gzip, encodeBody: 'manual' } as ResponseInit) : { headers: gzip },
    };
    forms[form] = made;
  }
  return made;
}

async function getPackument(ctx: HandlerContext, req: Request, url: URL, name: string): Promise<Response> {
  await authorize(ctx, req, 'access', name);
  if (url.searchParams.get('write') === 'true') {
    const local = await ctx.service.cache.read(name);
    if (!isLive(local?.doc ?? null)) throw notFound(`package ${name}`);
    return json(publicPackument(withTarballUrls(local!.doc, ctx.publicUrl)), 200, { 'cache-control': 'no-store' });
  }
  const { abbreviated, gzip: wantGzip } = negotiate(req.headers);
  let rendered: Rendered | null = await ctx.service.cache.render(name, abbreviated ? 'abbreviated' : 'full', wantGzip);
  if (!rendered && !(await ctx.service.cache.read(name))) {
    rendered = await ctx.uplinks.render(name, abbreviated ? 'abbreviated' : 'full', proxyVia(ctx, req));
  }
  if (!rendered) throw notFound(`package ${name}`);
  return packumentResponse(req, rendered, abbreviated, wantGzip);
}

async function getVersion(ctx: HandlerContext, req: Request, name: string, spec: string): Promise<Response> {
  await authorize(ctx, req, 'access', name);
  const found = await findDoc(ctx, req, name);
  if (!found) throw notFound(`package ${name}`);
  const version = found.doc['dist-tags'][spec] ?? spec;
  if (!Object.hasOwn(found.doc.versions, version)) throw notFound(`${name}@${spec.slice(0, 50)}`);
  return json(withTarballUrls({ ...found.doc, versions: { [version]: found.doc.versions[version]! } }, ctx.publicUrl).versions[version]);
}

async function getTarball(ctx: HandlerContext, req: Request, name: string, file: string): Promise<Response> {
  await authorize(ctx, req, 'access', name);
  const version = versionOfTarball(name, file);
  if (!version) throw notFound(`tarball ${file}`);
  const local = await ctx.service.cache.read(name);
  let found: TarballObject | null = null;
  if (local) {
    const manifest = local.doc.versions[version];
    if (manifest) found = await localTarball(ctx, name, file, manifest.dist?.integrity);
  } else {
    found = await ctx.uplinks.tarball(name, file, proxyVia(ctx, req));
  }
  if (!found) throw notFound(`tarball ${file}`);
  return tarballResponse(ctx, req, name, version, found);
}

type TarballObject = { body: ReadableStream<Uint8Array> | Uint8Array; etag: string; size: number };

/** The tarball held in memory for this integrity, or null: what {@link localTarball} tries first, without I/O. */
export function cachedTarball(ctx: HandlerContext, name: string, file: string, integrity: string | undefined): TarballObject | null {
  const cached = integrity ? ctx.tarballs.get(name, file, integrity) : null;
  return cached ? { body: cached.bytes, etag: cached.etag, size: cached.bytes.byteLength } : null;
}

/**
 * A local tarball: from the tarball cache while the manifest lists the version with the integrity it
 * was cached for, else from the store (read whole and cached when small, streamed when not).
 */
export async function localTarball(ctx: HandlerContext, name: string, file: string, integrity: string | undefined): Promise<TarballObject | null> {
  const cached = cachedTarball(ctx, name, file, integrity);
  if (cached) return cached;
  const found = await ctx.store.getStream(keys.tarball(name, file));
  if (!found || !integrity || !ctx.tarballs.fits(found.size)) return found;
  const bytes = new Uint8Array(await new Response(found.body).arrayBuffer());
  ctx.tarballs.set(name, file, integrity, bytes, found.etag);
  return { body: bytes, etag: found.etag, size: bytes.byteLength };
}

/** The answer for a tarball found: 304, HEAD or the bytes, counting the download. */
export async function tarballResponse(ctx: HandlerContext, req: Request, name: string, version: string, found: TarballObject): Promise<Response> {
  // A body that is not sent is closed here: an unread file stream held its descriptor open.
  if (found.body instanceof ReadableStream && (req.method === 'HEAD' || etagMatches(req.headers.get('if-none-match'), tarballEtag(found)))) await found.body.cancel();
  return tarballAnswer(ctx, req, name, version, found);
}

const tarballEtag = (found: TarballObject) => `"${found.etag.replace(/[^A-Za-z0-9._-]/g, '')}"`;

/** {@link tarballResponse} for a body that needs no closing (bytes in memory): without an await. */
export function tarballAnswer(ctx: HandlerContext, req: Request, name: string, version: string, found: TarballObject): Response {
  const etag = tarballEtag(found);
  const headers: Record<string, string> = { etag, 'cache-control': 'public, max-age=31536000, immutable' };
  if (etagMatches(req.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
  headers['content-type'] = 'application/octet-stream';
  headers['content-length'] = String(found.size);
  if (req.method === 'HEAD') return new Response(null, { headers });
  const counted = ctx.downloads.record(name, version);
  if (counted) ctx.background?.(req, counted);
  return new Response(found.body as BodyInit, { headers });
}

async function readObject(ctx: HandlerContext, req: Request): Promise<Record<string, unknown>> {
  const body = await readJson(req, ctx.maxBodySize);
  if (!isPlainObject(body)) throw new RegistryError('BAD_REQUEST', 'request body must be a JSON object');
  return body;
}

async function putPackage(ctx: HandlerContext, req: Request, name: string): Promise<Response> {
  const principal = await ctx.auth.authenticate(req);
  if (!principal || !ctx.auth.can(principal, 'publish', name)) {
    // Who may not publish may still star (`{ _id, _rev, users }`, a small body): a larger body is
    // refused before it is read, anything but a star after.
    if (!principal || Number(req.headers.get('content-length') ?? 0) > TAG_BODY_LIMIT) await check(ctx, principal, 'publish', name);
    const small = principal ? await readJson(req, TAG_BODY_LIMIT).catch(() => null) : null;
    if (principal && isStarBody(small)) return star(ctx, principal, name, small);
    if (principal) await check(ctx, principal, 'publish', name);
  }
  const body = await readObject(ctx, req);
  if (principal && isStarBody(body)) return star(ctx, principal, name, body);
  const who = await check(ctx, principal, 'publish', name);
  if (hasAttachments(body)) {
    const prepared = await preparePublish(name, body, { publicUrl: ctx.publicUrl, readTarball: ctx.readTarball, tarball: ctx.tarballLimits, metadata: ctx.metadataLimits });
    const doc = await ctx.service.publish(name, prepared, actorOf(who), await maintainerOf(ctx, who));
    return json({ ok: true, id: name, rev: doc._rev }, 201);
  }
  const doc = await ctx.service.updateVersions(name, body, actorOf(who));
  return json({ ok: true, id: name, rev: doc._rev });
}

/** npm's one-version unpublish (a packument without that version), or any metadata change at a revision. */
async function putRevision(ctx: HandlerContext, req: Request, name: string, rev: string): Promise<Response> {
  const principal = await ctx.auth.authenticate(req);
  if (!ctx.auth.can(principal, 'publish', name)) await check(ctx, principal, 'unpublish', name);
  const body = await readObject(ctx, req);
  if (isOwnerBody(body)) return changeOwners(ctx, principal, name, rev, body);
  const current = (await ctx.service.cache.read(name))?.doc ?? null;
  if (!isLive(current)) throw notFound(`package ${name}`);
  const incoming = isPlainObject(body.versions) ? body.versions : {};
  const removes = Object.keys(current.versions).some((v) => !(v in incoming));
  const who = await check(ctx, principal, removes ? 'unpublish' : 'publish', name);
  const doc = await ctx.service.updateVersions(name, body, actorOf(who), rev);
  return json({ ok: true, id: name, rev: doc._rev });
}

async function distTags(ctx: HandlerContext, req: Request, method: string, name: string, tag?: string): Promise<Response> {
  if (method === 'GET' && tag === undefined) {
    await authorize(ctx, req, 'access', name);
    const found = await findDoc(ctx, req, name);
    if (!found) throw notFound(`package ${name}`);
    return json(found.doc['dist-tags']);
  }
  if (tag === undefined || (method !== 'PUT' && method !== 'DELETE')) throw notFound('route');
  assertTag(tag);
  const who = await authorize(ctx, req, 'publish', name);
  if (method === 'DELETE') return json(await ctx.service.removeTag(name, tag, actorOf(who)));
  const version = await readJson(req, Math.min(TAG_BODY_LIMIT, ctx.maxBodySize));
  return json(await ctx.service.setTag(name, tag, assertVersion(version), actorOf(who)));
}
