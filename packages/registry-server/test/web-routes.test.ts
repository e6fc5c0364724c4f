// The web UI as the handler mounts it, in process with the real auth: what reaches the pages and
// what the pages send on (the Chromium tests are in packages/web/test).
import { describe, expect, it } from 'vitest';
import { memoryDriver, wrapStore } from '@factorywager/r2-store';
import { createAuth } from '../src/auth/auth.ts';
import { createRegistryHandler } from '../src/handler.ts';
import { readTarball } from '../src/node.ts';
import { authConfig } from './auth-fixture.ts';
import { BASE, publishBody } from './_helpers.ts';

function webSetup() {
  const store = wrapStore(memoryDriver());
  const config = authConfig();
  const seen: Request[] = [];
  const auth = createAuth({ store, config, clientAddress: (r) => { seen.push(r); return '192.0.2.7'; }, passwordIterations: 1000 });
  const handler = createRegistryHandler({ store, auth, readTarball, config: { publicUrl: BASE, packages: config.packages, uplinks: {}, index: { cacheTtl: 0 } } });
  return { store, handler, seen };
}

const html = { accept: 'text/html' };

describe('web routes in the registry handler', () => {
  it('lists only what the visitor may read, hides a package it may not, and leaves /package/* JSON to npm', async () => {
    const { handler } = webSetup();
    const signup = await handler(new Request(`${BASE}/-/user/org.couchdb.user:bob`, { method: 'PUT', body: JSON.stringify({ name: 'bob', password: 'correct horse battery' }) }));
    const token = ((await signup.json()) as { token: string }).token;
    for (const name of ['open-lib', '@acme/secret']) {
      const res = await handler(new Request(`${BASE}/${name.replace('/', '%2f')}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(await publishBody(name, '1.0.0')) }));
      // @acme/* needs the admins role to publish: bob may not, so only open-lib is published
      expect(res.status).toBe(name === 'open-lib' ? 201 : 403);
    }
    const list = await (await handler(new Request(`${BASE}/`, { headers: html }))).text();
    expect(list).toContain('href="/package/open-lib"');
    expect((await handler(new Request(`${BASE}/package/open-lib`, { headers: html }))).status).toBe(200);
    expect((await handler(new Request(`${BASE}/package/@acme/secret`, { headers: html }))).status).toBe(404);
    // the publisher (its maintainer) gets the actions; another signed-in user does not
    const other = await handler(new Request(`${BASE}/-/user/org.couchdb.user:dave`, { method: 'PUT', body: JSON.stringify({ name: 'dave', password: 'correct horse battery' }) }));
    const daveToken = ((await other.json()) as { token: string }).token;
    const as = async (t: string) => (await handler(new Request(`${BASE}/package/open-lib`, { headers: { ...html, cookie: `fw_session=${t}` } }))).text();
    expect(await as(token)).toContain('href="/-/web/deprecate?package=open-lib&amp;version=1.0.0"');
    expect(await as(daveToken)).not.toContain('/-/web/deprecate?');
    expect(await as(daveToken)).toContain('Signed in as <strong>dave</strong>');
    const json = await handler(new Request(`${BASE}/package/open-lib`));
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(json.status).toBe(404); // no package named "package"
  });

  it('a web login reaches the auth with the browser request, so the login limits count its address', async () => {
    const { handler, seen } = webSetup();
    await handler(new Request(`${BASE}/-/user/org.couchdb.user:carol`, { method: 'PUT', body: JSON.stringify({ name: 'carol', password: 'correct horse battery' }) }));
    seen.length = 0;
    const page = await handler(new Request(`${BASE}/-/web/login`, { headers: html }));
    const csrf = /name="_csrf" value="([0-9a-f]{64})"/.exec(await page.text())![1]!;
    const browser = new Request(`${BASE}/-/web/login`, {
      method: 'POST',
      headers: { ...html, 'content-type': 'application/x-www-form-urlencoded', cookie: `fw_csrf=${csrf}` },
      body: new URLSearchParams({ _csrf: csrf, name: 'carol', password: 'wrong password', next: '/' }).toString(),
    });
    const res = await handler(browser);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Log in');
    expect(seen).toContain(browser);
    expect(res.headers.get('set-cookie') ?? '').not.toContain('fw_session=ey');
  });

  it('deprecate, undeprecate, move and remove a dist-tag through the forms: the registry and its history change', async () => {
    const { handler } = webSetup();
    const signup = await handler(new Request(`${BASE}/-/user/org.couchdb.user:erin`, { method: 'PUT', body: JSON.stringify({ name: 'erin', password: 'correct horse battery' }) }));
    const token = ((await signup.json()) as { token: string }).token;
    for (const v of ['1.0.0', '1.1.0']) {
      const res = await handler(new Request(`${BASE}/tagged-lib`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(await publishBody('tagged-lib', v)) }));
      expect(res.status).toBe(201);
    }
    const page = await (await handler(new Request(`${BASE}/package/tagged-lib`, { headers: { ...html, cookie: `fw_session=${token}` } }))).text();
    const csrf = /name="_csrf" value="([0-9a-f]{64})"/.exec(page)![1]!;
    const post = async (action: string, fields: Record<string, string>) => {
      const res = await handler(new Request(`${BASE}/-/web/${action}`, {
        method: 'POST',
        headers: { ...html, 'content-type': 'application/x-www-form-urlencoded', cookie: `fw_session=${token}; fw_csrf=${csrf}` },
        body: new URLSearchParams({ _csrf: csrf, package: 'tagged-lib', ...fields }).toString(),
      }));
      expect(res.status).toBe(303);
      return decodeURIComponent(/fw_flash=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? '');
    };
    const doc = async () => (await handler(new Request(`${BASE}/tagged-lib`))).json() as Promise<{ 'dist-tags': Record<string, string>; versions: Record<string, { deprecated?: string }> }>;

    expect(await post('deprecate', { version: '1.0.0', message: 'use 1.1.0' })).toContain('Deprecated tagged-lib@1.0.0');
    expect((await doc()).versions['1.0.0']!.deprecated).toBe('use 1.1.0');
    expect(await post('deprecate', { version: '1.0.0', message: '' })).toContain('no longer deprecated');
    expect((await doc()).versions['1.0.0']!.deprecated).toBeUndefined();
    expect(await post('tag', { tag: 'stable', version: '1.0.0' })).toContain('stable now points at 1.0.0');
    expect((await doc())['dist-tags']).toEqual({ latest: '1.1.0', stable: '1.0.0' });
    expect(await post('untag', { tag: 'stable' })).toContain('Removed the stable tag');
    expect((await doc())['dist-tags']).toEqual({ latest: '1.1.0' });
    // a refusal from the API comes back as the page's error message
    expect(await post('untag', { tag: 'latest' })).toContain('Not done: the latest tag cannot be removed');
    const history = await (await handler(new Request(`${BASE}/-/fw/history?package=tagged-lib`))).json() as { events: Array<{ type: string; actor: string }> };
    expect(history.events.map((e) => e.type)).toEqual(['untag', 'tag', 'deprecate', 'deprecate', 'publish', 'publish']);
    expect(new Set(history.events.map((e) => e.actor))).toEqual(new Set(['erin']));
  });
});
