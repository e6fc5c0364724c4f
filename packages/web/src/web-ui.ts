import { ASSETS } from './_assets.generated.ts';
import { deprecatePage, errorPage, loginPage, rollbackPage } from './_page-forms.ts';
import { ListPageCache } from './_page-cache.ts';
import { listPage, listResults, listRows, PAGE_SIZE } from './_page-list.ts';
import { packagePage } from './_page-package.ts';
import { packagePath, type PageContext } from './_layout.ts';
import { CSRF_COOKIE, FLASH_COOKIE, SESSION_COOKIE, cookie, newCsrfToken, readCookies, sameToken } from './_session.ts';
import { sendForm } from './_actions.ts';
import type { WebSource } from './types.ts';

/** Options of {@link createWebUi}. */
export interface WebUiOptions {
  source: WebSource;
  /** The registry's public URL (install hints, the `.npmrc` line, same-origin checks). */
  publicUrl: string;
  /** Clock in ms (tests). */
  now?: () => number;
  /**
   * List pages kept encoded for logged-out visitors, by path and query, each while its total and rows
   * read the same (the registry's `cache.webListPages`). Default 100; 0 keeps none.
   */
  listPages?: number;
}

/** The web UI as a fetch handler the registry mounts. */
export interface WebUi {
  /** Whether a request is for the web UI: `/`, `/-/web/*`, and `/package/*` asked for as HTML. */
  handles(req: Request): boolean;
  fetch(req: Request): Promise<Response>;
}

/** The strict policy every page is served with: nothing inline, nothing from elsewhere. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const MAX_FORM = 64 * 1024;

/** Thrown inside the web UI for a request it refuses; `status` is the HTTP status. @internal */
export class WebError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const wantsHtml = (req: Request) => (req.headers.get('accept') ?? '').includes('text/html');
const safeNext = (next: string | null) => (next && /^\/(?![/\\])/.test(next) ? next : '/');

/**
 * The registry's web UI: server-rendered pages that work without JavaScript (the one script only
 * enhances: search as you type, graph zoom and pan, the rollback dialog, copy buttons), assets
 * under `/-/web/assets/` named by their hash and served immutable, a strict Content-Security-Policy,
 * log in with the `npm login` credentials (the session cookie holds that registry token), and the
 * changes (rollback, dist-tags, deprecate) sent to the registry's own API with the user's token,
 * behind a CSRF token.
 * @example
 * const web = createWebUi({ source, publicUrl: 'http://127.0.0.1:4873' });
 * const fetch = (req: Request) => (web.handles(req) ? web.fetch(req) : registry(req));
 */
export function createWebUi(options: WebUiOptions): WebUi {
  const { source } = options;
  const now = options.now ?? Date.now;
  const publicOrigin = new URL(options.publicUrl).origin;
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const secure = publicUrl.startsWith('https:');
  const listPages = new ListPageCache(options.listPages ?? 100);

  function handles(req: Request): boolean {
    const path = new URL(req.url).pathname;
    if (path.startsWith('/-/web/')) return true;
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (get && path === '/') return true;
    return get && path.startsWith('/package/') && wantsHtml(req);
  }

  async function fetch(req: Request): Promise<Response> {
    const started = performance.now();
    const url = new URL(req.url);
    if (url.pathname.startsWith('/-/web/assets/')) return asset(url.pathname);
    const cookies = readCookies(req);
    const headers = new Headers();
    let csrf = cookies.get(CSRF_COOKIE) ?? '';
    if (!/^[0-9a-f]{64}$/.test(csrf)) {
      csrf = newCsrfToken();
      headers.append('set-cookie', cookie(CSRF_COOKIE, csrf, secure));
    }
    let token = cookies.get(SESSION_COOKIE) || null;
    const user = token ? await source.whoami(token).catch(() => null) : null;
    if (token && !user) {
      token = null;
      headers.append('set-cookie', cookie(SESSION_COOKIE, '', secure, 0));
    }
    let flash: PageContext['flash'] = null;
    if (cookies.has(FLASH_COOKIE)) {
      try { flash = JSON.parse(cookies.get(FLASH_COOKIE)!); } catch { /* ignore */ }
      headers.append('set-cookie', cookie(FLASH_COOKIE, '', secure, 0));
    }
    const ctx: PageContext = { user, csrf, here: url.pathname + url.search, flash };
    const page = (status: number, body: string | Uint8Array<ArrayBuffer>) => {
      headers.set('content-type', 'text/html; charset=utf-8');
      headers.set('server-timing', `app;dur=${(performance.now() - started).toFixed(1)}`);
      return new Response(req.method === 'HEAD' ? null : body, { status, headers: secureHeaders(headers) });
    };
    const redirect = (to: string, message?: PageContext['flash']) => {
      if (message) headers.append('set-cookie', cookie(FLASH_COOKIE, JSON.stringify(message), secure, 60));
      headers.set('location', to);
      return new Response(null, { status: 303, headers: secureHeaders(headers) });
    };
    try {
      if (req.method === 'POST') {
        const form = await readForm(req);
        checkCsrf(req, form, csrf, url.origin);
        return await sendForm({ source, req, url, form, token, redirect, page, ctx, publicUrl });
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new WebError(405, `${req.method} is not allowed here`);
      if (url.pathname === '/') {
        const q = (url.searchParams.get('q') ?? '').slice(0, 200);
        const pageNo = Math.max(1, Math.min(100_000, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1));
        const result = await source.list(token, { q, from: (pageNo - 1) * PAGE_SIZE, size: PAGE_SIZE });
        const rows = listRows(result, now());
        const partial = url.searchParams.get('partial') === '1';
        const render = () => (partial ? listResults(result, q, pageNo, rows).value : listPage(ctx, result, q, pageNo, rows));
        // a logged-out visitor's page follows from its URL, total and rows alone: kept encoded
        return page(200, user || flash ? render() : listPages.get(ctx.here, result.total, rows, render));
      }
      if (url.pathname.startsWith('/package/')) {
        const { name, version } = parsePackageUrl(url.pathname);
        const data = await source.package(token, name, version);
        if (!data || (version !== null && !Object.hasOwn(data.versions, version))) {
          return page(404, errorPage(ctx, 'Not found', version ? `${name}@${version} is not in this registry.` : `There is no package ${name} here.`));
        }
        const all = (param: string) => url.searchParams.get(param) === 'all';
        return page(200, packagePage(ctx, data, { publicUrl, now: now(), version, allVersions: all('versions'), allGraph: all('graph') }));
      }
      if (url.pathname === '/-/web/login') {
        return page(200, loginPage(ctx, safeNext(url.searchParams.get('next')), null));
      }
      if (url.pathname === '/-/web/rollback' || url.pathname === '/-/web/deprecate') {
        const name = url.searchParams.get('package') ?? '';
        const version = url.searchParams.get('version') ?? '';
        if (!token) return redirect(`/-/web/login?next=${encodeURIComponent(ctx.here)}`);
        const data = await source.package(token, name, null);
        if (!data || !Object.hasOwn(data.versions, version)) throw new WebError(404, `${name}@${version} is not in this registry`);
        if (url.pathname === '/-/web/rollback') return page(200, rollbackPage(ctx, name, version, data.distTags.latest ?? null));
        return page(200, deprecatePage(ctx, name, version, data.versions[version]!.deprecated ?? null));
      }
      throw new WebError(404, 'There is no such page.');
    } catch (err) {
      const status = statusOf(err);
      if (status >= 500) throw err;
      const message = (err as Error).message;
      if (!wantsHtml(req)) {
        headers.set('content-type', 'application/json');
        return new Response(JSON.stringify({ error: message }), { status, headers: secureHeaders(headers) });
      }
      if (status === 401 && req.method === 'GET') return redirect(`/-/web/login?next=${encodeURIComponent(ctx.here)}`);
      return page(status, errorPage(ctx, status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'Cannot do that', message));
    }
  }

  function checkCsrf(req: Request, form: URLSearchParams, csrf: string, origin: string): void {
    const from = req.headers.get('origin');
    if (from && from !== 'null' && from !== origin && from !== publicOrigin) throw new WebError(403, 'this form was sent from another site');
    if (req.headers.get('sec-fetch-site') === 'cross-site') throw new WebError(403, 'this form was sent from another site');
    if (!sameToken(form.get('_csrf') ?? '', csrf)) throw new WebError(403, 'the form is missing its CSRF token or it is stale: reload the page and try again');
  }

  return { handles, fetch };
}



function asset(path: string): Response {
  const found = Object.values(ASSETS).find((a) => a.path === path);
  if (!found) return new Response(JSON.stringify({ error: 'no such asset' }), { status: 404, headers: { 'content-type': 'application/json' } });
  return new Response(found.body, {
    headers: { 'content-type': found.type, 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' },
  });
}

function secureHeaders(h: Headers): Headers {
  h.set('content-security-policy', CONTENT_SECURITY_POLICY);
  h.set('x-content-type-options', 'nosniff');
  h.set('x-frame-options', 'DENY');
  h.set('referrer-policy', 'same-origin');
  h.set('cache-control', 'no-store');
  return h;
}

async function readForm(req: Request): Promise<URLSearchParams> {
  const type = req.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) throw new WebError(415, 'send the form as application/x-www-form-urlencoded');
  const length = Number(req.headers.get('content-length') ?? '0');
  if (length > MAX_FORM) throw new WebError(413, 'the form is too large');
  return new URLSearchParams(await readLimited(req, MAX_FORM));
}

/** The body as text, read no further than `limit` bytes (a chunked body has no Content-Length to check). */
async function readLimited(req: Request, limit: number): Promise<string> {
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      let step: Awaited<ReturnType<typeof reader.read>>;
      try {
        step = await reader.read();
      } catch {
        throw new WebError(400, 'the form was cut short');
      }
      if (step.done) break;
      size += step.value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw new WebError(413, 'the form is too large');
      }
      chunks.push(step.value);
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** `/package/<name>[/v/<version>]` with a scoped name as two segments. @internal */
export function parsePackageUrl(pathname: string): { name: string; version: string | null } {
  let rest: string;
  try {
    // Decoded whole: `@s%2fp` and `@s/p` are the same name (no part of a name or version holds a `/`).
    rest = decodeURIComponent(pathname.slice('/package/'.length)).replace(/\/+$/, '');
  } catch {
    throw new WebError(400, 'malformed package path');
  }
  const segs = rest.split('/');
  const scoped = segs[0]?.startsWith('@');
  const name = scoped ? `${segs[0]}/${segs[1] ?? ''}` : (segs[0] ?? '');
  const tail = segs.slice(scoped ? 2 : 1);
  if (!name || name.endsWith('/')) throw new WebError(404, 'There is no such page.');
  if (tail.length === 0) return { name, version: null };
  if (tail.length === 2 && tail[0] === 'v' && tail[1]) return { name, version: tail[1] };
  throw new WebError(404, 'There is no such page.');
}

/** The HTTP status of an error thrown by the UI or by the source (by its `code`, as the registry names them). @internal */
export function statusOf(err: unknown): number {
  if (err instanceof WebError) return err.status;
  const code = (err as { code?: unknown })?.code;
  const byCode: Record<string, number> = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, INVALID_NAME: 400, BAD_REQUEST: 400, INVALID_VERSION: 400, RATE_LIMITED: 429, QUARANTINED: 403 };
  return typeof code === 'string' && byCode[code] ? byCode[code]! : 500;
}


