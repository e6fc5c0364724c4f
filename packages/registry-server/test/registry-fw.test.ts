import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { keys } from '@factorywager/r2-store';
import { renderAscii, renderMermaid, toD3Json } from '@factorywager/graph-render';
import { buildVersionGraph } from '@factorywager/semver-graph';
import type { PackageRule } from '../src/config/types.ts';
import { GraphCache, graphQuery } from '../src/packages/graph-view.ts';
import type { Packument } from '../src/packages/packument.ts';
import { esc, publish, setup, snapshot, type Setup } from './_helpers.ts';

/** 1.0.0 .. 1.3.0, 2.0.0-beta.1 under `next`, 1.1.0 deprecated. */
async function seed(s: Setup, name = 'demo') {
  for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0']) await publish(s, name, v);
  await publish(s, name, '2.0.0-beta.1', { tag: 'next' });
  await deprecate(s, name, '1.1.0', 'broken, use 1.2.0');
}

async function deprecate(s: Setup, name: string, version: string, message: string) {
  const doc = await (await s.call('GET', `/${esc(name)}?write=true`, { token: 'tok-ana' })).json();
  doc.versions[version].deprecated = message;
  const res = await s.call('PUT', `/${esc(name)}`, { token: 'tok-ana', body: doc });
  expect(res.status).toBe(200);
}

const rollback = (s: Setup, body: Record<string, unknown>, token: string | null = 'tok-ana') =>
  s.call('POST', '/-/fw/rollback', { ...(token ? { token } : {}), body });

const stored = async (s: Setup, name: string) => (await s.store.getJson<Packument>(keys.manifest(name)))!;

describe('GET /-/fw/graph/:pkg', () => {
  it('serves json, ascii and mermaid rendered from the manifest, with range, limit and since', async () => {
    const s = setup();
    await seed(s);
    const graph = buildVersionGraph((await stored(s, 'demo')) as never);
    const json = await s.call('GET', '/-/fw/graph/demo');
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.json()).toEqual(toD3Json(graph));
    const ascii = await s.call('GET', '/-/fw/graph/demo?format=ascii');
    expect(ascii.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await ascii.text()).toBe(renderAscii(graph));
    expect(await (await s.call('GET', '/-/fw/graph/demo?format=mermaid')).text()).toBe(renderMermaid(graph));
    expect(await (await s.call('GET', '/-/fw/graph/demo?format=ascii&color=1')).text()).toContain('\u001b[');

    const limited = await (await s.call('GET', '/-/fw/graph/demo?format=json&range=%3E%3D1.2.0&limit=2')).json();
    expect(limited.nodes.map((n: { id: string }) => n.id)).toEqual(['2.0.0-beta.1', '1.3.0']);
    expect(limited.total).toBe(3);
    const since = await (await s.call('GET', `/-/fw/graph/demo?since=${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}`)).json();
    expect(since.nodes).toEqual([]);
  });

  it('takes scoped names both ways, answers 304 on its etag, and refuses bad queries with 400', async () => {
    const s = setup();
    await publish(s, '@acme/g', '1.0.0');
    const a = await s.call('GET', '/-/fw/graph/@acme%2fg?format=ascii');
    const b = await s.call('GET', '/-/fw/graph/@acme/g?format=ascii');
    expect(await a.text()).toBe(await b.text());
    const etag = a.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    expect((await s.call('GET', '/-/fw/graph/@acme/g?format=ascii', { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await s.call('GET', '/-/fw/graph/@acme/g?format=json', { headers: { 'if-none-match': etag } })).status).toBe(200);
    for (const [q, msg] of [
      ['format=png', /unknown format "png" \(try: json, ascii, mermaid/],
      ['limit=0', /limit must be a positive whole number/],
      ['range=%3E%3Dnope', /invalid semver range/],
      ['since=yesterday-ish', /invalid date/],
    ] as const) {
      const res = await s.call('GET', `/-/fw/graph/@acme/g?${q}`);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(msg);
    }
    expect((await s.call('GET', '/-/fw/graph/nope')).status).toBe(404);
    expect((await s.call('GET', '/-/fw/graph/..%2fetc')).status).toBe(400);
    expect((await s.call('GET', '/-/fw/graph/@acme/g/extra')).status).toBe(404);
  });

  it('sends gzip to clients that accept it (the same bytes unzipped)', async () => {
    const s = setup();
    await seed(s);
    for (let i = 1; i <= 12; i++) await publish(s, 'demo', `1.3.${i}`);
    const plain = await (await s.call('GET', '/-/fw/graph/demo?format=mermaid')).text();
    expect(plain.length).toBeGreaterThan(1024);
    const small = await s.call('GET', '/-/fw/graph/demo?format=ascii&limit=1', { headers: { 'accept-encoding': 'gzip' } });
    expect(small.headers.get('content-encoding')).toBeNull();
    const zipped = await s.call('GET', '/-/fw/graph/demo?format=mermaid', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('Accept-Encoding');
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString('utf8')).toBe(plain);
  });

  it('needs the access right', async () => {
    const rules: PackageRule[] = [
      { pattern: '@locked/*', access: ['admin'], publish: ['admin'], unpublish: ['admin'] },
      { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] },
    ];
    const s = setup({ rules });
    await publish(s, '@locked/x', '1.0.0', { token: 'tok-admin' });
    expect((await s.call('GET', '/-/fw/graph/@locked/x')).status).toBe(401);
    expect((await s.call('GET', '/-/fw/graph/@locked/x', { token: 'tok-bob' })).status).toBe(403);
    expect((await s.call('GET', '/-/fw/graph/@locked/x', { token: 'tok-admin' })).status).toBe(200);
  });

  it('changes with the manifest: a new etag and graph after a publish', async () => {
    const s = setup();
    await publish(s, 'moving', '1.0.0');
    const first = await s.call('GET', '/-/fw/graph/moving?format=ascii');
    await publish(s, 'moving', '1.1.0');
    const second = await s.call('GET', '/-/fw/graph/moving?format=ascii');
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect(await second.text()).toContain('1.1.0  [Current]');
  });
});

describe('GET /-/fw/graph/:pkg of a package that comes through an uplink', () => {
  it('renders the upstream packument; no graph.json is written for it', async () => {
    const up = setup();
    const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: up.handler });
    try {
      await publish(up, '@up/lib', '1.0.0');
      await publish(up, '@up/lib', '1.1.0');
      const rules: PackageRule[] = [{ pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'], proxy: ['upstream'] }];
      const down = setup({ rules, config: { publicUrl: 'http://registry.test', packages: rules, uplinks: { upstream: { url: `http://127.0.0.1:${server.port}`, timeout: 2000, maxage: 60 } }, minReleaseAge: 0 } });
      const graph = await (await down.call('GET', '/-/fw/graph/@up/lib')).json();
      expect(graph).toMatchObject({ name: '@up/lib', current: '1.1.0', rollback: '1.0.0', total: 2 });
      expect(await (await down.call('GET', '/-/fw/graph/@up/lib?format=ascii')).text()).toContain('1.1.0  [Current]');
      expect(await down.store.head(keys.versionGraph('@up/lib'))).toBeNull();
      expect((await down.call('GET', '/-/fw/graph/@up/missing')).status).toBe(404);
    } finally {
      server.stop(true);
    }
  });
});

describe('GraphCache', () => {
  it('renders once per manifest etag and query: a warm lookup does no graph work', () => {
    const cache = new GraphCache();
    const doc = { name: 'p', _id: 'p', _rev: '1-a', 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name: 'p', version: '1.0.0', dist: {} } }, time: {} } as unknown as Packument;
    const query = graphQuery(new URLSearchParams('format=ascii'));
    const first = cache.render('p', doc, '"e1"', query);
    // A document that throws on any read: a warm render must not touch it.
    const poisoned = new Proxy({}, { get: () => { throw new Error('graph work on a warm request'); } }) as Packument;
    expect(cache.lookup('p', '"e1"', query)).toBe(first);
    expect(cache.render('p', poisoned, '"e1"', query)).toBe(first);
    expect(cache.lookup('p', '"e2"', query)).toBeUndefined();
    expect(cache.lookup('p', '"e1"', graphQuery(new URLSearchParams('format=json')))).toBeUndefined();
  });
});

describe('versions/{name}/graph.json', () => {
  it('is written after each change (once answered) with the manifest rev, rebuilt when missing or older, never trusted over the manifest', async () => {
    const s = setup();
    await publish(s, 'derived', '1.0.0');
    await publish(s, 'derived', '1.1.0');
    // written after the answer: idle() waits for it
    await s.handler.idle();
    const key = keys.versionGraph('derived');
    let file = (await s.store.getJson<{ rev: string; current: string; nodes: unknown[] }>(key))!;
    let doc = await stored(s, 'derived');
    expect(file).toMatchObject({ rev: doc._rev, current: '1.1.0' });
    expect(file.nodes).toHaveLength(2);
    expect((await s.store.head(key))!.metadata).toEqual({ rev: doc._rev });

    await rollback(s, { package: 'derived', version: '1.0.0' });
    await s.handler.idle();
    doc = await stored(s, 'derived');
    expect(await s.store.getJson(key)).toMatchObject({ rev: doc._rev, current: '1.0.0', rollback: '1.1.0' });

    // Missing: the graph route writes it again.
    await s.store.delete(key);
    expect((await s.call('GET', '/-/fw/graph/derived?format=mermaid')).status).toBe(200);
    expect(await s.store.getJson(key)).toMatchObject({ rev: doc._rev, current: '1.0.0' });

    // Older (or tampered): the route serves the manifest's graph and replaces the file.
    await s.store.put(key, JSON.stringify({ rev: '1-old', current: '9.9.9', nodes: [] }), { metadata: { rev: '1-old' } });
    const served = await (await s.call('GET', '/-/fw/graph/derived?format=json&limit=5')).json();
    expect(served.current).toBe('1.0.0');
    file = (await s.store.getJson<typeof file>(key))!;
    expect(file).toMatchObject({ rev: doc._rev, current: '1.0.0' });
  });
});

describe('POST /-/fw/rollback', () => {
  it('rolls latest back with from, to, tag, actor, time and reason; the replaced version is Rollback Ready; forward is the same call', async () => {
    const s = setup({ now: () => new Date('2026-03-01T10:00:00.000Z') });
    await seed(s);
    const back = await rollback(s, { package: 'demo', version: '1.2.0', reason: 'bad 1.3.0' });
    expect(back.status).toBe(200);
    const body = await back.json();
    expect(body).toMatchObject({ changed: true, package: 'demo', tag: 'latest', from: '1.3.0', to: '1.2.0', 'dist-tags': { latest: '1.2.0', next: '2.0.0-beta.1' } });
    expect(body.event).toEqual({
      type: 'rollback', actor: 'ana', time: '2026-03-01T10:00:00.000Z', tag: 'latest', version: '1.2.0',
      from: '1.3.0', to: '1.2.0', reason: 'bad 1.3.0', before: '1.3.0', after: '1.2.0',
    });
    const graph = await (await s.call('GET', '/-/fw/graph/demo')).json();
    expect(graph).toMatchObject({ current: '1.2.0', rollback: '1.3.0' });
    expect(graph.nodes.find((n: { id: string }) => n.id === '1.3.0').status).toBe('rollback');
    expect(await (await s.call('GET', '/-/fw/graph/demo?format=ascii')).text()).toMatch(/1\.3\.0  \[Rollback Ready\]/);

    const forward = await (await rollback(s, { package: 'demo', version: '1.3.0' })).json();
    expect(forward).toMatchObject({ changed: true, from: '1.2.0', to: '1.3.0' });
    expect(forward.event.reason).toBeUndefined();
    expect(await (await s.call('GET', '/-/fw/graph/demo')).json()).toMatchObject({ current: '1.3.0', rollback: '1.2.0' });
    expect((await s.call('GET', '/demo/latest')).status).toBe(200);
    expect((await (await s.call('GET', '/-/package/demo/dist-tags')).json()).latest).toBe('1.3.0');
  });

  it('answers changed: false and writes nothing when the tag already points there', async () => {
    const s = setup();
    await seed(s);
    const before = await snapshot(s.store);
    const res = await rollback(s, { package: 'demo', version: '1.3.0', reason: 'no-op' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ changed: false, package: 'demo', tag: 'latest', from: '1.3.0', to: '1.3.0', 'dist-tags': { latest: '1.3.0', next: '2.0.0-beta.1' } });
    expect(await snapshot(s.store)).toEqual(before);
  });

  it('refuses a missing version naming the nearest, a deprecated one without force, no right, a stale from; the store is untouched', async () => {
    const rules: PackageRule[] = [
      { pattern: 'demo', access: ['$all'], publish: ['dev'], unpublish: ['dev'] },
      { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] },
    ];
    const s = setup({ rules });
    await seed(s);
    const before = await snapshot(s.store);
    const cases: Array<[Record<string, unknown>, string | null, number, RegExp]> = [
      [{ package: 'demo', version: '1.2.5' }, 'tok-ana', 404, /^demo@1\.2\.5 does not exist \(nearest: 1\.2\.0, 1\.3\.0\)$/],
      [{ package: 'demo', version: '1.1.0' }, 'tok-ana', 400, /^demo@1\.1\.0 is deprecated \(broken, use 1\.2\.0\); force to roll back to it anyway$/],
      [{ package: 'demo', version: '1.2.0' }, 'tok-bob', 403, /^bob may not publish demo$/],
      [{ package: 'demo', version: '1.2.0' }, null, 401, /log in to publish demo/],
      [{ package: 'demo', version: '1.2.0' }, 'tok-ro', 403, /read-only token/],
      [{ package: 'demo', version: '1.2.0', from: '1.2.0' }, 'tok-ana', 409, /latest of demo points at 1\.3\.0 now, not 1\.2\.0; look again/],
      [{ package: 'demo', version: '1.2.0', reason: 'x'.repeat(501) }, 'tok-ana', 400, /reason is longer than 500 characters/],
      [{ package: 'demo', version: '1.2.0', reason: 5 }, 'tok-ana', 400, /reason must be a string/],
      [{ package: 'demo', version: '1.2.0', force: 'yes' }, 'tok-ana', 400, /force must be true or false/],
      [{ package: 'demo', version: 'latest' }, 'tok-ana', 400, /invalid version/],
      [{ package: 'demo', version: '1.2.0', tag: '1.x' }, 'tok-ana', 400, /invalid dist-tag/],
      [{ package: 'nope', version: '1.0.0' }, 'tok-ana', 404, /package nope not found/],
      [{ version: '1.0.0' }, 'tok-ana', 400, /body must be/],
    ];
    for (const [body, token, status, message] of cases) {
      const res = await rollback(s, body, token);
      expect({ body, status: res.status }).toEqual({ body, status });
      expect((await res.json()).error).toMatch(message);
    }
    expect(await snapshot(s.store)).toEqual(before);

    const forced = await (await rollback(s, { package: 'demo', version: '1.1.0', force: true, from: '1.3.0' })).json();
    expect(forced).toMatchObject({ changed: true, from: '1.3.0', to: '1.1.0' });
  });

  it('drops control characters from the reason and moves other tags (created when absent)', async () => {
    const s = setup();
    await seed(s);
    const res = await (await rollback(s, { package: 'demo', version: '1.3.0', tag: 'next', reason: ' beta\u001b[2J broke\nCI\u0007 ' })).json();
    expect(res).toMatchObject({ changed: true, tag: 'next', from: '2.0.0-beta.1', to: '1.3.0' });
    expect(res.event.reason).toBe('beta[2J brokeCI');
    const created = await (await rollback(s, { package: 'demo', version: '1.0.0', tag: 'stable', reason: '\u0000\u0001' })).json();
    expect(created).toMatchObject({ changed: true, from: null, to: '1.0.0' });
    expect(created.event).not.toHaveProperty('reason');
    expect(await (await rollback(s, { package: 'demo', version: '1.0.0', tag: 'stable', reason: 'é'.repeat(500) })).json()).toMatchObject({ changed: false });
  });

  it('a publish or dist-tag that moves latest afterwards ends the way back', async () => {
    const s = setup();
    await seed(s);
    await rollback(s, { package: 'demo', version: '1.2.0' });
    expect((await stored(s, 'demo'))._fw?.rollbacks).toEqual({ latest: { from: '1.3.0', to: '1.2.0' } });
    await publish(s, 'demo', '1.4.0');
    expect((await stored(s, 'demo'))._fw?.rollbacks).toBeUndefined();
    expect(await (await s.call('GET', '/-/fw/graph/demo')).json()).toMatchObject({ current: '1.4.0', rollback: '1.3.0' });
    await rollback(s, { package: 'demo', version: '1.0.0' });
    const tag = await s.call('PUT', '/-/package/demo/dist-tags/latest', { token: 'tok-ana', body: '1.2.0' });
    expect(tag.status).toBe(200);
    expect(await (await s.call('GET', '/-/fw/graph/demo')).json()).toMatchObject({ current: '1.2.0', rollback: '1.0.0' });
    expect((await stored(s, 'demo'))._fw?.rollbacks).toBeUndefined();
    // never served
    expect(await (await s.call('GET', '/demo')).json()).not.toHaveProperty('_fw');
  });
});

describe('GET /-/fw/history', () => {
  it('lists events newest first, with limit and type filters', async () => {
    const s = setup();
    await seed(s, '@acme/h');
    await rollback(s, { package: '@acme/h', version: '1.2.0', reason: 'bad 1.3.0' });
    await rollback(s, { package: '@acme/h', version: '1.3.0' });
    const all = await (await s.call('GET', '/-/fw/history?package=@acme/h')).json();
    expect(all.name).toBe('@acme/h');
    expect(all.events.map((e: { type: string }) => e.type)).toEqual(['rollback', 'rollback', 'deprecate', 'publish', 'publish', 'publish', 'publish', 'publish']);
    expect(all.events[1]).toMatchObject({ type: 'rollback', actor: 'ana', tag: 'latest', from: '1.3.0', to: '1.2.0', reason: 'bad 1.3.0', time: expect.any(String) });
    const rollbacks = await (await s.call('GET', '/-/fw/history?package=%40acme%2Fh&type=rollback&limit=1')).json();
    expect(rollbacks.events).toEqual([all.events[0]]);
    const some = await (await s.call('GET', '/-/fw/history?package=@acme/h&type=deprecate,publish&limit=2')).json();
    expect(some.events.map((e: { type: string; version?: string }) => `${e.type} ${e.version}`)).toEqual(['deprecate 1.1.0', 'publish 2.0.0-beta.1']);
    expect((await (await s.call('GET', '/-/fw/history?package=@acme/h&type=untag')).json()).events).toEqual([]);
  });

  it('refuses bad names, limits and types, and answers 404 without history', async () => {
    const s = setup();
    await publish(s, 'h', '1.0.0');
    for (const [q, status, msg] of [
      ['package=..%2fetc', 400, /invalid package name/],
      ['package=nothing-here', 404, /no history for nothing-here/],
      ['package=h&limit=-1', 400, /limit must be a positive whole number/],
      ['package=h&limit=ten', 400, /limit must be a positive whole number/],
      ['package=h&type=rollback,explode', 400, /unknown event type "explode" \(try: publish, tag, untag, deprecate, unpublish, rollback\)/],
    ] as const) {
      const res = await s.call('GET', `/-/fw/history?${q}`);
      expect(res.status).toBe(status);
      expect((await res.json()).error).toMatch(msg);
    }
  });
});
