import type { HandlerContext } from './_context.ts';
import { negotiate } from './_negotiate.ts';
import { assertPackageName, versionOfTarball } from './_names.ts';
import { cachedTarball, localTarball, packumentResponse, tarballAnswer, tarballResponse } from './_routes-packages.ts';

// `/name`, `/@scope/name`, `/@scope%2fname`, each optionally followed by `/-/<file>.tgz`; no query.
// Anything else (and any name that needs decoding) takes the router.
const HOT_PATH = /^\/((?:@[a-z0-9][a-z0-9._~-]*(?:\/|%2[fF]))?[a-z0-9][a-z0-9._~-]*)(?:\/-\/([A-Za-z0-9._~+-]+\.tgz))?$/;

/**
 * The hot GETs, answered before the router: an anonymous GET or HEAD of a local packument (with its
 * 304) or of a local tarball. The same checks and answers as the routes (the package rules, the
 * packument cache's revalidation, the tarball cache's integrity check), without the router, the web
 * UI's middleware or a second URL parse. When the packument cache knows its copy current without I/O
 * (the store's change map) and the answer is in memory, the Response is returned synchronously, not
 * as a promise: Bun then sends it at the cost of a bare `Bun.serve` answer. Returns null for
 * everything else, which the router answers as before (credentials, uplinks, errors, the web UI
 * under `/package/`).
 * @example
 * const fast = fastGet(ctx, req);
 * const res = fast instanceof Response ? fast : (await fast) ?? (await app.fetch(req));
 */
export function fastGet(ctx: HandlerContext, req: Request): Response | Promise<Response | null> | null {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers.has('authorization')) return null;
  const url = req.url;
  const at = url.indexOf('/', url.indexOf('//') + 2);
  const m = at < 0 ? null : HOT_PATH.exec(url.slice(at));
  if (!m) return null;
  const raw = m[1]!;
  const name = raw.includes('%') ? raw.replace(/%2[fF]/, '/') : raw;
  const file = m[2];
  if (name === 'package') return null; // /package/... is the web UI's
  try {
    assertPackageName(name);
  } catch {
    return null; // the router gives the error answer
  }
  if (!ctx.auth.can(null, 'access', name)) return null;
  const cache = ctx.service.cache;
  if (file === undefined) {
    const { abbreviated, gzip } = negotiate(req.headers);
    const form = abbreviated ? 'abbreviated' : 'full';
    const now = cache.renderNow(name, form, gzip);
    if (now) return packumentResponse(req, now, abbreviated, gzip, true);
    return cache.render(name, form, gzip).then((rendered) => rendered ? packumentResponse(req, rendered, abbreviated, gzip) : null);
  }
  const version = versionOfTarball(name, file);
  if (!version) return null;
  const known = cache.readNow(name);
  if (known) {
    const cached = cachedTarball(ctx, name, file, known.doc.versions[version]?.dist?.integrity);
    if (cached) return tarballAnswer(ctx, req, name, version, cached);
  }
  return tarballAfterRead(ctx, req, name, file, version);
}

async function tarballAfterRead(ctx: HandlerContext, req: Request, name: string, file: string, version: string): Promise<Response | null> {
  const local = await ctx.service.cache.read(name);
  const manifest = local?.doc.versions[version];
  if (!manifest) return null;
  const found = await localTarball(ctx, name, file, manifest.dist?.integrity);
  return found ? tarballResponse(ctx, req, name, version, found) : null;
}
