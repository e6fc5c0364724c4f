import { packagePath, type PageContext } from './_layout.ts';
import { loginPage } from './_page-forms.ts';
import type { WebSource } from './types.ts';
import { SESSION_COOKIE, cookie } from './_session.ts';

/** What a form handler gets from the page handler. @internal */
export interface FormContext {
  source: WebSource;
  req: Request;
  url: URL;
  form: URLSearchParams;
  token: string | null;
  ctx: PageContext;
  publicUrl: string;
  redirect(to: string, flash?: PageContext['flash']): Response;
  page(status: number, body: string): Response;
}

/** The answer of one registry API call: status and the JSON body (or `{ error }`). */
export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Sends one request to the registry's API in process, as the CLI would over HTTP: bearer token,
 * JSON body, JSON answer.
 * @example
 * const { status, body } = await callApi(source, origin, token, 'POST', '/-/fw/rollback', { package: 'a', version: '1.0.0' });
 */
export async function callApi(source: WebSource, origin: string, token: string | null, method: string, path: string, body?: unknown, from?: Request): Promise<ApiAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await source.api(new Request(`${origin}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }), from);
  const text = await res.text();
  let parsed: unknown = {};
  try { parsed = text ? JSON.parse(text) : {}; } catch { parsed = { error: text.slice(0, 200) }; }
  return { status: res.status, body: parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed } };
}

const errorText = (a: ApiAnswer) => (typeof a.body.error === 'string' ? a.body.error : `the registry answered ${a.status}`);
const pkgPath = (name: string) => `/-/package/${name.replace('/', '%2f')}`;
const field = (form: URLSearchParams, name: string, max = 214) => (form.get(name) ?? '').trim().slice(0, max);

/** POST /-/web/{login,logout,rollback,tag,untag,deprecate}. @internal */
export async function sendForm(f: FormContext): Promise<Response> {
  const { form, url } = f;
  const api = (method: string, path: string, body?: unknown) => callApi(f.source, url.origin, f.token, method, path, body, f.req);
  const action = url.pathname.slice('/-/web/'.length);
  if (action === 'login') {
    const name = field(form, 'name', 100);
    const password = form.get('password') ?? '';
    const next = form.get('next') ?? '/';
    const safe = /^\/(?![/\\])/.test(next) ? next : '/';
    if (!name || !password) return f.page(400, loginPage(f.ctx, safe, 'Enter your user name and password.', name));
    const answer = await callApi(f.source, url.origin, null, 'PUT', `/-/user/org.couchdb.user:${encodeURIComponent(name)}`, { _id: `org.couchdb.user:${name}`, name, password, type: 'user', roles: [], date: new Date().toISOString() }, f.req);
    if (answer.status !== 201 || typeof answer.body.token !== 'string') {
      return f.page(answer.status >= 400 && answer.status < 500 ? answer.status : 502, loginPage(f.ctx, safe, errorText(answer), name));
    }
    f.ctx.user = { name };
    const res = f.redirect(safe, { kind: 'ok', text: `Signed in as ${name}.` });
    res.headers.append('set-cookie', sessionCookie(answer.body.token, f.publicUrl));
    return res;
  }
  if (action === 'logout') {
    if (f.token) await api('DELETE', `/-/user/token/${encodeURIComponent(f.token)}`);
    const res = f.redirect('/', { kind: 'ok', text: 'Signed out.' });
    res.headers.append('set-cookie', sessionCookie('', f.publicUrl, 0));
    return res;
  }
  const name = field(form, 'package');
  if (!name) return f.redirect('/', { kind: 'error', text: 'No package given.' });
  if (!f.token) return f.redirect(`/-/web/login?next=${encodeURIComponent(packagePath(name))}`, { kind: 'error', text: 'Log in first.' });
  const back = `${packagePath(name)}`;
  const done = (a: ApiAnswer, ok: string, _section: string) =>
    f.redirect(back, a.status < 300 ? { kind: 'ok', text: ok } : { kind: 'error', text: `Not done: ${errorText(a)}` });
  if (action === 'rollback') {
    const version = field(form, 'version', 256);
    const tag = field(form, 'tag', 100) || 'latest';
    const reason = field(form, 'reason', 500);
    // `from`: what the page showed; the registry refuses (409) when the tag moved since.
    const from = field(form, 'from', 256);
    const a = await api('POST', '/-/fw/rollback', { package: name, version, tag, ...(reason ? { reason } : {}), ...(from ? { from } : {}) });
    const text = a.body.changed === false ? `${tag} already points at ${version}.` : `Rolled back: ${tag} now points at ${version}.`;
    return done(a, text, 'dist-tags');
  }
  if (action === 'tag') {
    const tag = field(form, 'tag', 100);
    const version = field(form, 'version', 256);
    const a = await api('PUT', `${pkgPath(name)}/dist-tags/${encodeURIComponent(tag)}`, version);
    return done(a, `${tag} now points at ${version}.`, 'dist-tags');
  }
  if (action === 'untag') {
    const tag = field(form, 'tag', 100);
    const a = await api('DELETE', `${pkgPath(name)}/dist-tags/${encodeURIComponent(tag)}`);
    return done(a, `Removed the ${tag} tag.`, 'dist-tags');
  }
  if (action === 'deprecate') {
    // As `npm deprecate` does: read the packument for writing, change one version, put it back.
    const version = field(form, 'version', 256);
    const message = field(form, 'message', 500);
    const doc = await api('GET', `/${name.replace('/', '%2f')}?write=true`);
    const versions = doc.body.versions as Record<string, Record<string, unknown>> | undefined;
    if (doc.status !== 200 || !versions || !Object.hasOwn(versions, version)) return done(doc.status === 200 ? { status: 404, body: { error: `${name}@${version} does not exist` } } : doc, '', 'versions');
    versions[version]!.deprecated = message;
    const a = await api('PUT', `/${name.replace('/', '%2f')}`, doc.body);
    return done(a, message ? `Deprecated ${name}@${version}.` : `${name}@${version} is no longer deprecated.`, 'versions');
  }
  return f.redirect('/', { kind: 'error', text: 'Unknown action.' });
}

function sessionCookie(token: string, publicUrl: string, maxAge?: number): string {
  return cookie(SESSION_COOKIE, token, publicUrl.startsWith('https:'), maxAge);
}
