import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { keys } from '@factorywager/r2-store';
import { readHistory } from '../src/index.ts';
import { BASE, esc, memoryStore, publish, publishBody, setup, tarball } from './_helpers.ts';

const ABBR = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

describe('publish and read', () => {
  it('publishes unscoped and scoped packages and serves full and abbreviated packuments', async () => {
    const s = setup();
    const res = await publish(s, 'left-pad', '1.0.0', { manifest: { bin: { lp: 'index.js' }, dependencies: { '@acme/util': '^1.0.0' }, scripts: { postinstall: 'node x' } } });
    expect(await res.json()).toMatchObject({ ok: true, id: 'left-pad' });
    await publish(s, '@acme/util', '1.0.0');

    const full = await s.call('GET', '/left-pad');
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('application/json');
    expect(full.headers.get('vary')).toContain('Accept');
    const doc = await full.json();
    expect(doc.name).toBe('left-pad');
    expect(doc['dist-tags']).toEqual({ latest: '1.0.0' });
    expect(doc.readme).toBe('# left-pad');
    expect(doc._fw).toBeUndefined();
    const v = doc.versions['1.0.0'];
    expect(v.dist.tarball).toBe(`${BASE}/left-pad/-/left-pad-1.0.0.tgz`);
    expect(v._npmUser).toEqual({ name: 'ana', email: 'ana@example.com' });
    expect(v.dist.fileCount).toBe(2);
    expect(v.readme).toBeUndefined();
    expect(doc.time['1.0.0']).toBeTypeOf('string');

    const abbr = await s.call('GET', '/left-pad', { headers: { accept: ABBR } });
    expect(abbr.headers.get('content-type')).toBe('application/vnd.npm.install-v1+json');
    const a = await abbr.json();
    expect(Object.keys(a).sort()).toEqual(['dist-tags', 'modified', 'name', 'time', 'versions']);
    expect(a.versions['1.0.0']).toMatchObject({ name: 'left-pad', bin: { lp: 'index.js' }, dependencies: { '@acme/util': '^1.0.0' }, hasInstallScript: true });
    expect(a.versions['1.0.0'].description).toBeUndefined();
    expect(a.versions['1.0.0'].scripts).toBeUndefined();
    expect(full.headers.get('etag')).not.toBe(abbr.headers.get('etag'));

    for (const path of ['/@acme%2futil', '/@acme/util', '/@acme%2Futil']) {
      const r = await s.call('GET', path);
      expect(r.status, path).toBe(200);
      expect((await r.json()).versions['1.0.0'].dist.tarball).toBe(`${BASE}/@acme/util/-/util-1.0.0.tgz`);
    }
  });

  it('answers 304 on If-None-Match per form, gzips when asked, and changes ETags after a write', async () => {
    const s = setup();
    await publish(s, 'etagged', '1.0.0');
    const first = await s.call('GET', '/etagged');
    const etag = first.headers.get('etag')!;
    expect((await s.call('GET', '/etagged', { headers: { 'if-none-match': etag } })).status).toBe(304);
    // The full form's ETag does not validate the abbreviated form.
    expect((await s.call('GET', '/etagged', { headers: { 'if-none-match': etag, accept: ABBR } })).status).toBe(200);
    const gz = await s.call('GET', '/etagged', { headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const body = JSON.parse(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString());
    expect(body.name).toBe('etagged');
    await publish(s, 'etagged', '1.1.0');
    const after = await s.call('GET', '/etagged', { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(Object.keys((await after.json()).versions)).toEqual(['1.0.0', '1.1.0']);
  });

  it('serves tarball links on the current public URL, also for versions published under an older one', async () => {
    const store = memoryStore();
    await publish(setup({ store, publicUrl: 'http://127.0.0.1:4873' }), '@acme/moved', '1.0.0');
    const old = setup({ store, publicUrl: 'http://127.0.0.1:4873' });
    const s = setup({ store, publicUrl: 'https://npm.example.com' });
    const link = 'https://npm.example.com/@acme/moved/-/moved-1.0.0.tgz';
    const full = await s.call('GET', '/@acme%2fmoved');
    expect((await full.json()).versions['1.0.0'].dist.tarball).toBe(link);
    expect((await (await s.call('GET', '/@acme%2fmoved', { headers: { accept: ABBR } })).json()).versions['1.0.0'].dist.tarball).toBe(link);
    expect((await (await s.call('GET', '/@acme%2fmoved?write=true')).json()).versions['1.0.0'].dist.tarball).toBe(link);
    expect((await (await s.call('GET', '/@acme%2fmoved/latest')).json()).dist.tarball).toBe(link);
    // a client's cached copy from the old URL is no longer current
    const before = (await old.call('GET', '/@acme%2fmoved')).headers.get('etag')!;
    expect((await s.call('GET', '/@acme%2fmoved', { headers: { 'if-none-match': before } })).status).toBe(200);
    expect((await s.call('GET', new URL(link).pathname)).status).toBe(200);
  });

  it('gives ?write=true the full document with _rev, and single versions by version or tag', async () => {
    const s = setup();
    await publish(s, 'rev-pkg', '1.0.0');
    const w = await (await s.call('GET', '/rev-pkg?write=true', { headers: { accept: ABBR } })).json();
    expect(w._rev).toMatch(/^1-/);
    expect(w.versions['1.0.0'].description).toBe('the rev-pkg package');
    expect((await (await s.call('GET', '/rev-pkg/latest')).json()).version).toBe('1.0.0');
    expect((await s.call('GET', '/rev-pkg/2.0.0')).status).toBe(404);
  });

  it('answers HEAD on a tarball without opening a body it never sends (the stream is closed)', async () => {
    const base = memoryStore();
    let open = 0;
    const store = { ...base, getStream: async (key: string) => {
      const found = await base.getStream(key);
      if (!found) return found;
      open++;
      const reader = found.body.getReader();
      const body = new ReadableStream<Uint8Array>({
        async pull(c) { const r = await reader.read(); if (r.done) { open--; c.close(); } else c.enqueue(r.value); },
        cancel() { open--; return reader.cancel(); },
      });
      return { ...found, body };
    } } as typeof base;
    const s = setup({ store });
    await publish(s, 'headed', '1.0.0');
    const head = await s.call('HEAD', '/headed/-/headed-1.0.0.tgz');
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(open).toBe(0);
    const get = await s.call('GET', '/headed/-/headed-1.0.0.tgz');
    expect((await get.arrayBuffer()).byteLength).toBe(Number(head.headers.get('content-length')));
    expect(open).toBe(0);
  });

  it('streams tarballs with ETag and immutable caching, counts downloads, and writes records and history', async () => {
    const s = setup();
    const tgz = await tarball('dl', '1.0.0');
    await publish(s, 'dl', '1.0.0', { tgz });
    const res = await s.call('GET', '/dl/-/dl-1.0.0.tgz');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(tgz))).toBe(true);
    expect((await s.call('GET', '/dl/-/dl-1.0.0.tgz', { headers: { 'if-none-match': res.headers.get('etag')! } })).status).toBe(304);
    await s.call('GET', '/dl/-/dl-1.0.0.tgz').then((r) => r.arrayBuffer());
    await s.handler.idle();
    const stats = await (await s.call('GET', '/-/fw/stats')).json();
    expect(stats).toMatchObject({ packages: 1, versions: 1, bytes: tgz.byteLength, downloads: 2 });
    const record = await s.store.getJson<Record<string, unknown>>(keys.versionRecord('dl', '1.0.0'));
    expect(record).toMatchObject({ name: 'dl', version: '1.0.0', publisher: 'ana', size: tgz.byteLength, integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}` });
    const history = (await readHistory(s.store, 'dl'))!;
    expect(history.events).toMatchObject([{ type: 'publish', actor: 'ana', version: '1.0.0', before: {}, after: { latest: '1.0.0' } }]);
    expect((await s.call('GET', '/dl/-/dl-9.0.0.tgz')).status).toBe(404);
  });

  it('refuses to republish a version, even one that was unpublished, and changes nothing', async () => {
    const s = setup();
    await publish(s, 'again', '1.0.0');
    await publish(s, 'again', '1.1.0');
    const res = await s.call('PUT', '/again', { token: 'tok-ana', body: await publishBody('again', '1.0.0', { tgz: await tarball('again', '1.0.0', { description: 'other' }) }) });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toContain('previously published version again@1.0.0');
    const rev = (await (await s.call('GET', '/again?write=true')).json());
    delete rev.versions['1.1.0'];
    expect((await s.call('PUT', `/again/-rev/${rev._rev}`, { token: 'tok-ana', body: rev })).status).toBe(200);
    const again = await s.call('PUT', '/again', { token: 'tok-ana', body: await publishBody('again', '1.1.0') });
    expect(again.status).toBe(403);
  });
});

describe('dist-tags, deprecate, unpublish', () => {
  it('adds, lists and removes dist-tags with history', async () => {
    const s = setup();
    await publish(s, 'tagged', '1.0.0');
    await publish(s, 'tagged', '2.0.0-beta.1', { tag: 'beta' });
    expect(await (await s.call('GET', '/-/package/tagged/dist-tags')).json()).toEqual({ latest: '1.0.0', beta: '2.0.0-beta.1' });
    const put = await s.call('PUT', '/-/package/tagged/dist-tags/next', { token: 'tok-ana', body: '1.0.0' });
    expect(put.status).toBe(200);
    expect((await s.call('DELETE', '/-/package/tagged/dist-tags/beta', { token: 'tok-ana' })).status).toBe(200);
    expect(await (await s.call('GET', '/-/package/tagged/dist-tags')).json()).toEqual({ latest: '1.0.0', next: '1.0.0' });
    expect((await s.call('DELETE', '/-/package/tagged/dist-tags/latest', { token: 'tok-ana' })).status).toBe(400);
    const events = (await readHistory(s.store, 'tagged'))!.events.map((e) => e.type);
    expect(events).toEqual(['publish', 'publish', 'tag', 'untag']);
  });

  it('deprecates and undeprecates through a whole-packument PUT as npm sends it', async () => {
    const s = setup();
    await publish(s, 'old', '1.0.0');
    await publish(s, 'old', '1.1.0');
    const doc = await (await s.call('GET', '/old?write=true')).json();
    doc.versions['1.0.0'].deprecated = 'use 1.1';
    doc.versions['1.1.0'].description = 'sneaky change';
    expect((await s.call('PUT', '/old', { token: 'tok-ana', body: doc })).status).toBe(200);
    let now = await (await s.call('GET', '/old', { headers: { accept: ABBR } })).json();
    expect(now.versions['1.0.0'].deprecated).toBe('use 1.1');
    const full = await (await s.call('GET', '/old')).json();
    expect(full.versions['1.1.0'].description).toBe('the old package');
    const undo = await (await s.call('GET', '/old?write=true')).json();
    undo.versions['1.0.0'].deprecated = '';
    expect((await s.call('PUT', '/old', { token: 'tok-ana', body: undo })).status).toBe(200);
    now = await (await s.call('GET', '/old')).json();
    expect('deprecated' in now.versions['1.0.0']).toBe(false);
    const events = (await readHistory(s.store, 'old'))!.events.filter((e) => e.type === 'deprecate');
    expect(events).toMatchObject([{ version: '1.0.0', before: null, after: 'use 1.1' }, { version: '1.0.0', before: 'use 1.1', after: null }]);
  });

  it('unpublishes one version the way npm 11 does it, then the whole package', async () => {
    const s = setup();
    await publish(s, '@acme/gone', '1.0.0');
    await publish(s, '@acme/gone', '1.1.0');
    // npm: GET ?write=true, PUT /-rev/<rev> without the version, GET again, DELETE <tarball path>/-rev/<rev>
    const doc = await (await s.call('GET', '/@acme%2fgone?write=true')).json();
    const dist = doc.versions['1.1.0'].dist;
    delete doc.versions['1.1.0'];
    doc['dist-tags'].latest = '1.0.0';
    expect((await s.call('PUT', `/@acme%2fgone/-rev/${doc._rev}`, { token: 'tok-ana', body: doc })).status).toBe(200);
    const { _rev } = await (await s.call('GET', '/@acme%2fgone?write=true')).json();
    const path = new URL(dist.tarball).pathname;
    expect((await s.call('DELETE', `${path}/-rev/${_rev}`, { token: 'tok-ana' })).status).toBe(200);
    const after = await (await s.call('GET', '/@acme/gone')).json();
    expect(Object.keys(after.versions)).toEqual(['1.0.0']);
    expect(after['dist-tags']).toEqual({ latest: '1.0.0' });
    expect(await s.store.head(keys.tarball('@acme/gone', 'gone-1.1.0.tgz'))).toBeNull();
    expect((await s.call('GET', '/@acme/gone/-/gone-1.1.0.tgz')).status).toBe(404);

    expect((await s.call('DELETE', '/@acme%2fgone/-rev/0-stale', { token: 'tok-ana' })).status).toBe(409);
    const rev = (await (await s.call('GET', '/@acme%2fgone?write=true')).json())._rev;
    expect((await s.call('DELETE', `/@acme%2fgone/-rev/${rev}`, { token: 'tok-ana' })).status).toBe(200);
    expect((await s.call('GET', '/@acme%2fgone')).status).toBe(404);
    expect(await s.store.head(keys.tarball('@acme/gone', 'gone-1.0.0.tgz'))).toBeNull();
    expect((await s.call('PUT', '/@acme%2fgone', { token: 'tok-ana', body: await publishBody('@acme/gone', '1.0.0') })).status).toBe(403);
    await publish(s, '@acme/gone', '2.0.0');
    expect(Object.keys((await (await s.call('GET', '/@acme%2fgone')).json()).versions)).toEqual(['2.0.0']);
    const types = (await readHistory(s.store, '@acme/gone'))!.events.map((e) => e.type);
    expect(types).toEqual(['publish', 'publish', 'unpublish', 'unpublish', 'publish']);
  });
});

describe('search, list, ping, advisories, logs', () => {
  it('searches with npm\'s response shape and lists packages the caller may read', async () => {
    const s = setup();
    await publish(s, 'alpha-tool', '1.0.0', { manifest: { keywords: ['cli', 'tool'] } });
    await publish(s, '@acme/beta', '1.0.0', { manifest: { description: 'a tool for beta' } });
    await publish(s, '@locked/secret', '1.0.0', { token: 'tok-admin' });
    const res = await (await s.call('GET', '/-/v1/search?text=tool&size=10')).json();
    expect(res.total).toBe(2);
    expect(res.objects.map((o: { package: { name: string } }) => o.package.name)).toEqual(['@acme/beta', 'alpha-tool']);
    expect(res.objects[1]).toMatchObject({ package: { name: 'alpha-tool', version: '1.0.0', keywords: ['cli', 'tool'], publisher: { username: 'ana' }, maintainers: [{ username: 'ana' }] }, score: { final: expect.any(Number) } });
    expect((await (await s.call('GET', '/-/v1/search?text=keywords:cli')).json()).total).toBe(1);
    expect((await (await s.call('GET', '/-/v1/search?text=tool&from=1&size=1')).json()).objects).toHaveLength(1);
    const anon = await (await s.call('GET', '/-/fw/packages')).json();
    expect(anon.packages.map((p: { name: string }) => p.name)).toEqual(['@acme/beta', 'alpha-tool']);
    const authed = await (await s.call('GET', '/-/fw/packages', { token: 'tok-bob' })).json();
    expect(authed.packages.map((p: { name: string }) => p.name)).toContain('@locked/secret');
    expect((await s.call('GET', '/@locked%2fsecret')).status).toBe(401);
    expect((await s.call('GET', '/@locked%2fsecret', { token: 'tok-bob' })).status).toBe(200);
  });

  it('answers ping, refuses an audit it cannot do (no uplink), and logs method, path, status and ms without tokens', async () => {
    const s = setup();
    expect(await (await s.call('GET', '/-/ping?write=true')).json()).toEqual({});
    const bulk = await s.call('POST', '/-/npm/v1/security/advisories/bulk', { body: { 'left-pad': ['1.0.0'] } });
    expect(bulk.status).toBe(503);
    expect((await bulk.json()).error).toMatch(/^the audit cannot be done: this registry has no uplink/);
    await s.call('DELETE', '/-/npm/v1/tokens/token/secret-token-id', { token: 'tok-ana' });
    await s.call('DELETE', '//-/user/token/secret-legacy-token');
    await s.call('DELETE', '/-/NPM/v1/tokens/token/secret-token-id/x');
    await s.call('GET', '/nope-not-here', { token: 'tok-ana' });
    expect(s.logs.at(-1)).toMatchObject({ method: 'GET', path: '/nope-not-here', status: 404, ms: expect.any(Number) });
    const text = JSON.stringify(s.logs);
    expect(text).not.toContain('secret-token-id');
    expect(text).not.toContain('secret-legacy-token');
    expect(text).not.toContain('tok-ana');
  });
});
