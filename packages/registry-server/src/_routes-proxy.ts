import { Hono } from 'hono';
import { authorize, type HandlerContext } from './_context.ts';
import { collect, json } from './_http.ts';
import { assertPackageName, parsePackagePath } from './_names.ts';
import { RegistryError } from './errors.ts';
import { listPackageNames } from './packages/catalog.ts';
import { isLive } from './packages/packument.ts';
import { proxyVia } from './_routes-packages.ts';
import { bulkAudit, quickAudit, type AuditDeps } from './proxy/audit.ts';
import type { QuarantineReport } from './uplinks.ts';

const AUDIT_BODY_LIMIT = 32 * 1024 * 1024;

/** An audit body: JSON, gzip-compressed when npm says so (npm 11 sends the bulk request gzipped). */
async function auditBody(ctx: HandlerContext, req: Request): Promise<unknown> {
  const limit = Math.min(ctx.maxBodySize, AUDIT_BODY_LIMIT);
  if (!req.body) throw new RegistryError('BAD_REQUEST', 'the audit request has no body');
  const encoding = (req.headers.get('content-encoding') ?? '').trim().toLowerCase();
  if (encoding && encoding !== 'gzip' && encoding !== 'identity') throw new RegistryError('BAD_REQUEST', `unsupported content-encoding ${JSON.stringify(encoding.slice(0, 40))}`);
  let bytes: Uint8Array;
  try {
    // The limit applies to the decompressed bytes too (a small gzip can expand a lot).
    bytes = await collect(encoding === 'gzip' ? req.body.pipeThrough(new DecompressionStream('gzip')) : req.body, limit, 'audit request');
  } catch (err) {
    if (err instanceof RegistryError) throw err;
    throw new RegistryError('BAD_REQUEST', 'the audit request body is not valid gzip', { cause: err });
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new RegistryError('INVALID_JSON', 'the audit request body is not valid JSON', { cause: err });
  }
}

/**
 * The proxy's own routes: `GET /-/fw/quarantine/:pkg` (what the release-age guard holds back of a
 * package, for `registry:info` and the web UI) and the npm audit routes, forwarded to the uplinks
 * without private names (see {@link bulkAudit}).
 */
export function proxyRoutes(ctx: HandlerContext): Hono {
  const app = new Hono();
  const auditDeps = (req: Request): AuditDeps => ({
    uplinks: ctx.uplinks,
    localNames: async () => new Set(await listPackageNames(ctx.store)),
    via: proxyVia(ctx, req),
  });
  app.post('/-/npm/v1/security/advisories/bulk', async (c) => json(await bulkAudit(auditDeps(c.req.raw), await auditBody(ctx, c.req.raw))));
  app.post('/-/npm/v1/security/audits/quick', async (c) => json(await quickAudit(auditDeps(c.req.raw), await auditBody(ctx, c.req.raw))));
  app.get('/-/fw/quarantine/*', async (c) => {
    const segments = new URL(c.req.url).pathname.split('/').slice(4);
    const { name, rest } = parsePackagePath(segments);
    if (rest.length) throw new RegistryError('NOT_FOUND', 'no such route');
    assertPackageName(name);
    await authorize(ctx, c.req.raw, 'access', name);
    const local = await ctx.service.cache.read(name);
    const base = { name, minReleaseAge: 0, excluded: false, quarantined: [], movedTags: {} };
    if (local) {
      if (!isLive(local.doc)) throw new RegistryError('NOT_FOUND', `package ${name} not found`);
      return json({ ...base, source: 'local' } satisfies QuarantineReport);
    }
    if (ctx.uplinks.for(name).length === 0) throw new RegistryError('NOT_FOUND', `package ${name} not found (the name is reserved for this registry, never proxied)`);
    const report = await ctx.uplinks.quarantine(name, proxyVia(ctx, c.req.raw));
    if (!report) throw new RegistryError('NOT_FOUND', `package ${name} not found here or upstream`);
    return json(report);
  });
  return app;
}
