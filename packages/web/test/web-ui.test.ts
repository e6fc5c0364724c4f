// The web UI in process, with a small fake source (unit tests of its logic; the real registry and
// Chromium are in browser*.test.ts).
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, createWebUi, renderMarkdown, type ListRow, type PackageData, type WebSource } from '../src/index.ts';
import { ASSETS } from '../src/_assets.generated.ts';
import { generateAssets } from '../scripts/build-assets.ts';
import { parsePackageUrl } from '../src/web-ui.ts';
import { readFile } from 'node:fs/promises';

const BASE = 'http://registry.test';
const rows: ListRow[] = Array.from({ length: 120 }, (_, i) => ({ name: `pkg-${String(i).padStart(3, '0')}`, version: '1.0.0', modified: '2026-01-01T00:00:00Z', versions: 1, description: i % 2 ? 'odd one' : 'even one' }));

function fakeSource(calls: Request[] = []): WebSource {
  const data: PackageData = {
    name: '@s/p', distTags: { latest: '1.0.0' }, versions: { '1.0.0': { version: '1.0.0' } }, time: { '1.0.0': '2026-01-01T00:00:00Z' },
    sizes: {}, downloads: {}, readme: '# hi', maintainers: [], dependents: [], history: [], uplink: null, canPublish: true,
  };
  return {
    whoami: async (token) => (token === 'good' ? { name: 'ana' } : null),
    list: async (_token, { q, from, size }) => {
      const hits = rows.filter((r) => !q || r.description!.includes(q));
      return { total: hits.length, rows: hits.slice(from, from + size) };
    },
    package: async (_token, name) => (name === '@s/p' ? data : null),
    api: async (req) => {
      calls.push(req);
      return new Response(JSON.stringify({ changed: true }), { headers: { 'content-type': 'application/json' } });
    },
  };
}

const get = (web: ReturnType<typeof createWebUi>, path: string, headers: Record<string, string> = {}) =>
  web.fetch(new Request(`${BASE}${path}`, { headers: { accept: 'text/html', ...headers } }));

describe('pages', () => {
  it('serves the list paged on the server, with a strict CSP, no-store, and a CSRF cookie', async () => {
    const web = createWebUi({ source: fakeSource(), publicUrl: BASE });
    const res = await get(web, '/?page=2');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('server-timing')).toMatch(/^app;dur=\d+(\.\d)?$/);
    expect(res.headers.get('set-cookie')).toMatch(/^fw_csrf=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict$/);
    const text = await res.text();
    expect(text.match(/class="package-row"/g)).toHaveLength(50);
    expect(text).toContain('pkg-050');
    expect(text).not.toContain('pkg-049');
    expect(text).toContain('51–100 of 120 · page 2 of 3');
    expect(text).toContain('href="/?page=3" rel="next"');
    const partial = await (await get(web, '/?q=odd&partial=1')).text();
    expect(partial.startsWith('<p class="muted" id="result-count">60 packages match <strong>odd</strong></p>')).toBe(true);
    expect(partial).not.toContain('<html');
  });

  it('answers npm clients itself only for HTML: /package/* as JSON goes to the registry', () => {
    const web = createWebUi({ source: fakeSource(), publicUrl: BASE });
    expect(web.handles(new Request(`${BASE}/package/x`, { headers: { accept: 'text/html' } }))).toBe(true);
    expect(web.handles(new Request(`${BASE}/package/x`, { headers: { accept: 'application/json' } }))).toBe(false);
    expect(web.handles(new Request(`${BASE}/package`))).toBe(false);
    expect(web.handles(new Request(`${BASE}/`))).toBe(true);
    expect(web.handles(new Request(`${BASE}/-/web/login`, { method: 'POST' }))).toBe(true);
    expect(web.handles(new Request(`${BASE}/left-pad`, { headers: { accept: 'text/html' } }))).toBe(false);
  });

  it('parses package URLs, scoped and versioned; others are 404 or 400', () => {
    expect(parsePackageUrl('/package/left-pad')).toEqual({ name: 'left-pad', version: null });
    expect(parsePackageUrl('/package/@s/p')).toEqual({ name: '@s/p', version: null });
    expect(parsePackageUrl('/package/@s%2fp')).toEqual({ name: '@s/p', version: null });
    expect(parsePackageUrl('/package/@s/p/v/1.0.0-beta.1')).toEqual({ name: '@s/p', version: '1.0.0-beta.1' });
    expect(parsePackageUrl('/package/x/v/1.0.0')).toEqual({ name: 'x', version: '1.0.0' });
    expect(() => parsePackageUrl('/package/x/y')).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => parsePackageUrl('/package/%E0%A4%A')).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('a missing package or version is a 404 page', async () => {
    const web = createWebUi({ source: fakeSource(), publicUrl: BASE });
    expect((await get(web, '/package/nope')).status).toBe(404);
    expect((await get(web, '/package/@s/p/v/9.9.9')).status).toBe(404);
    expect((await get(web, '/package/@s/p/v/1.0.0')).status).toBe(200);
    const json = await web.fetch(new Request(`${BASE}/-/web/nowhere`, { headers: { accept: 'application/json' } }));
    expect(json.status).toBe(404);
    expect(await json.json()).toEqual({ error: 'There is no such page.' });
  });
});

describe('a package with thousands of versions', () => {
  it('shows the newest 100 rows and 250 graph nodes (plus tagged ones) with links to all, and all on request', async () => {
    const versions: Record<string, { version: string }> = {};
    const time: Record<string, string> = {};
    for (let i = 0; i < 600; i++) {
      const v = `1.${Math.floor(i / 10)}.${i % 10}`;
      versions[v] = { version: v };
      time[v] = new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString();
    }
    const data: PackageData = {
      name: 'big', distTags: { latest: '1.59.9', old: '1.0.0' }, versions, time, sizes: {}, downloads: {}, readme: null,
      maintainers: [], dependents: [], history: [], uplink: null, canPublish: false,
    };
    const source: WebSource = { ...fakeSource(), package: async () => data };
    const web = createWebUi({ source, publicUrl: BASE });
    const page = await (await get(web, '/package/big')).text();
    expect(page.match(/<tr class="[^"]*" data-version=/g)).toHaveLength(100);
    expect(page.match(/class="fw-node /g)).toHaveLength(251); // the newest 250 and 1.0.0 (tagged old)
    expect(page).toContain('data-version="1.0.0" transform');
    expect(page).toContain('href="/package/big?versions=all#versions"');
    expect(page).toContain('href="/package/big?graph=all#graph"');
    const all = await (await get(web, '/package/big?versions=all&graph=all')).text();
    expect(all.match(/<tr class="[^"]*" data-version=/g)).toHaveLength(600);
    expect(all.match(/class="fw-node /g)).toHaveLength(600);
    expect(all).not.toContain('id="all-versions"');
  });
});

describe('assets', () => {
  it('are served under hashed names, immutable; others are 404', async () => {
    const web = createWebUi({ source: fakeSource(), publicUrl: BASE });
    for (const a of Object.values(ASSETS)) {
      expect(a.path).toMatch(/^\/-\/web\/assets\/(app|icon)\.[0-9a-f]{12}\.(css|js|svg)$/);
      const res = await web.fetch(new Request(`${BASE}${a.path}`));
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type')).toBe(a.type);
      expect(await res.text()).toBe(a.body);
    }
    expect((await web.fetch(new Request(`${BASE}/-/web/assets/app.000000000000.css`))).status).toBe(404);
  });

  it('are up to date with assets/ (run `bun run build` in packages/web after changing them)', async () => {
    const generated = await readFile(new URL('../src/_assets.generated.ts', import.meta.url), 'utf8');
    expect(generated).toBe(await generateAssets());
  });
});

describe('forms', () => {
  const form = (body: Record<string, string>, cookie: string, headers: Record<string, string> = {}) => new Request(`${BASE}/-/web/rollback`, {
    method: 'POST', body: new URLSearchParams(body).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie, ...headers },
  });
  const csrf = 'a'.repeat(64);

  it('sends a rollback with the session token to the registry API, and refuses one without the CSRF token', async () => {
    const calls: Request[] = [];
    const web = createWebUi({ source: fakeSource(calls), publicUrl: BASE });
    const cookie = `fw_session=good; fw_csrf=${csrf}`;
    const refused = await web.fetch(form({ package: '@s/p', version: '1.0.0' }, cookie));
    expect(refused.status).toBe(403);
    expect((await web.fetch(form({ package: '@s/p', version: '1.0.0', _csrf: csrf }, cookie, { 'sec-fetch-site': 'cross-site' }))).status).toBe(403);
    expect((await web.fetch(form({ package: '@s/p', version: '1.0.0', _csrf: csrf }, `fw_session=good; fw_csrf=${'b'.repeat(64)}`))).status).toBe(403);
    expect(calls).toEqual([]);
    const ok = await web.fetch(form({ package: '@s/p', version: '1.0.0', tag: 'latest', reason: 'broken', from: '1.1.0', _csrf: csrf }, cookie));
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/package/@s/p');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(`${BASE}/-/fw/rollback`);
    expect(calls[0]!.headers.get('authorization')).toBe('Bearer good');
    expect(await calls[0]!.json()).toEqual({ package: '@s/p', version: '1.0.0', tag: 'latest', reason: 'broken', from: '1.1.0' });
  });

  it('a form over the size limit or of another type is refused; a stale session is dropped', async () => {
    const web = createWebUi({ source: fakeSource(), publicUrl: BASE });
    const big = await web.fetch(form({ package: 'x'.repeat(70_000), _csrf: csrf }, `fw_csrf=${csrf}`));
    expect(big.status).toBe(413);
    // a chunked body has no Content-Length: reading stops past the limit, long before the body ends
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        sent += 16_384;
        if (sent > 10_000_000) c.close();
        else c.enqueue(new TextEncoder().encode('a'.repeat(16_384)));
      },
    });
    const chunked = await web.fetch(new Request(`${BASE}/-/web/rollback`, { method: 'POST', body: endless, duplex: 'half', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `fw_csrf=${csrf}` } } as RequestInit));
    expect(chunked.status).toBe(413);
    expect(sent).toBeLessThan(200_000);
    const json = await web.fetch(new Request(`${BASE}/-/web/rollback`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', cookie: `fw_csrf=${csrf}` } }));
    expect(json.status).toBe(415);
    const stale = await get(web, '/', { cookie: `fw_session=revoked; fw_csrf=${csrf}` });
    expect(stale.headers.get('set-cookie')).toContain('fw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    expect(await stale.text()).toContain('Log in');
  });
});

describe('renderMarkdown', () => {
  it.each([
    ['<script>alert(1)</script>hi', 'hi'],
    ['<img src=x onerror=alert(1)>', '<span class="readme-image-link">Image: image</span>'],
    ['[x](javascript:alert(1))', '<p><a rel="nofollow noopener noreferrer">x</a></p>'],
    ['<a href="JaVaScRiPt:alert(1)">y</a>', '<p><a rel="nofollow noopener noreferrer">y</a></p>'],
    ['<div onclick="x()">z</div>', '<div>z</div>'],
    ['<iframe src="https://evil.example"></iframe>ok', 'ok'],
    ['![badge](https://img.shields.io/x.svg)', '<p><a href="https://img.shields.io/x.svg" rel="nofollow noopener noreferrer" class="readme-image-link">Image: badge</a></p>'],
    ['![local](http://registry.test/logo.png)', '<p><img src="http://registry.test/logo.png" alt="local" /></p>'],
    ['```js\nlet a = 1 < 2;\n```', '<pre><code class="language-js">let a = 1 &lt; 2;\n</code></pre>'],
    ['- [x] done', '<ul>\n<li><input checked disabled type="checkbox" /> done</li>\n</ul>'],
  ])('%j', (md, expected) => {
    expect(renderMarkdown(md, { origin: BASE }).trim()).toBe(expected);
  });
});

describe('list rows', () => {
  it('shows each row as it is now: its age at this request, and a changed row anew', async () => {
    const shown: ListRow[] = [{ name: 'aged', version: '1.0.0', modified: '2026-01-01T00:00:00Z', versions: 1 }];
    const source: WebSource = { ...fakeSource(), list: async () => ({ total: shown.length, rows: shown }) };
    const at = (iso: string) => createWebUi({ source, publicUrl: BASE, now: () => Date.parse(iso) });
    const page = async (web: ReturnType<typeof createWebUi>) => (await (await get(web, '/?partial=1')).text()).replace(/\s+/g, ' ');
    expect(await page(at('2026-01-02T00:00:00Z'))).toContain('>1 day ago</time>');
    expect(await page(at('2026-03-05T00:00:00Z'))).toContain('>2 months ago</time>');
    expect(await page(at('2026-01-02T00:00:00Z'))).toContain('>1 day ago</time>');
    shown[0] = { ...shown[0]!, version: '2.0.0', description: 'now <b>bold</b>' };
    const html = await page(at('2026-01-02T00:00:00Z'));
    expect(html).toContain('<span class="version">2.0.0</span>');
    expect(html).toContain('now &lt;b&gt;bold&lt;/b&gt;');
  });
});
