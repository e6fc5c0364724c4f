import { afterEach, describe, expect, it } from 'vitest';
import type { PackageRule, UplinkConfig } from '../src/config/types.ts';
import { BASE, publish, setup } from './_helpers.ts';
import { craftedUpstream, type CraftedUpstream } from './_upstream.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const open: PackageRule = { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'], proxy: ['upstream'] };

let stops: Array<() => void> = [];
afterEach(() => { for (const stop of stops.splice(0)) stop(); });

function upstream(): CraftedUpstream {
  const up = craftedUpstream();
  stops.push(up.stop);
  return up;
}

function proxying(up: CraftedUpstream, opts: { rules?: PackageRule[]; now?: () => Date; minReleaseAge?: number; exclude?: string[]; uplink?: Partial<UplinkConfig>; store?: ReturnType<typeof setup>['store'] } = {}) {
  const rules = opts.rules ?? [open];
  return setup({
    rules,
    ...(opts.store ? { store: opts.store } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    config: {
      publicUrl: BASE, packages: rules,
      uplinks: { upstream: { url: up.url, timeout: 2000, maxage: 0, ...opts.uplink } },
      ...(opts.minReleaseAge !== undefined ? { minReleaseAge: opts.minReleaseAge } : {}),
      ...(opts.exclude ? { minReleaseAgeExclude: opts.exclude } : {}),
    },
  });
}

describe('release-age guard (default one day)', () => {
  it('the package index lists an uplink copy as served, also when rebuilt from the cached copies', async () => {
    const up = upstream();
    const t = Date.now();
    await up.add('lib', '1.0.0', { publishedAt: new Date(t - 30 * DAY) });
    await up.add('lib', '2.0.0', { publishedAt: new Date(t - MIN) });
    const first = proxying(up, { now: () => new Date(t) });
    expect((await first.call('GET', '/lib')).status).toBe(200);
    const listed = async (s: ReturnType<typeof setup>) => {
      const found = await (await s.call('GET', '/-/v1/search?text=lib')).json();
      return found.objects.find((o: { package: { name: string } }) => o.package.name === 'lib')?.package.version;
    };
    expect(await listed(first)).toBe('1.0.0');
    // a fresh server over the same store, its index gone: rebuilt from the kept upstream copy
    for (const key of (await first.store.list({ prefix: 'index/' })).keys) await first.store.delete(key);
    const second = proxying(up, { now: () => new Date(t), store: first.store });
    expect(await listed(second)).toBe('1.0.0');
    const list = await (await second.call('GET', '/-/fw/packages')).json();
    expect(list.packages.find((p: { name: string }) => p.name === 'lib')).toMatchObject({ version: '1.0.0' });
  });

  it('leaves young versions out, moves latest back to the newest mature one, refuses their tarballs, and serves them once mature', async () => {
    const up = upstream();
    let t = Date.now();
    await up.add('lib', '1.0.0', { publishedAt: new Date(t - 30 * DAY) });
    await up.add('lib', '1.1.0', { publishedAt: new Date(t - 2 * DAY) });
    await up.add('lib', '1.2.0-rc.0', { publishedAt: new Date(t - 3 * DAY), tag: 'next' });
    await up.add('lib', '2.0.0', { publishedAt: new Date(t - MIN) });
    await up.add('lib', '2.1.0-beta.0', { publishedAt: new Date(t - MIN), tag: 'next' });
    const s = proxying(up, { now: () => new Date(t) });

    const res = await s.call('GET', '/lib');
    const etag = res.headers.get('etag');
    const doc = await res.json();
    expect(Object.keys(doc.versions)).toEqual(['1.0.0', '1.1.0', '1.2.0-rc.0']);
    expect(doc['dist-tags']).toEqual({ latest: '1.1.0', next: '1.2.0-rc.0' });
    expect(Object.keys(doc.time)).not.toContain('2.0.0');
    const abbreviated = await (await s.call('GET', '/lib', { headers: { accept: 'application/vnd.npm.install-v1+json' } })).json();
    expect(Object.keys(abbreviated.versions)).toEqual(['1.0.0', '1.1.0', '1.2.0-rc.0']);
    expect((await (await s.call('GET', '/lib/latest')).json()).version).toBe('1.1.0');
    expect((await s.call('GET', '/lib/2.0.0')).status).toBe(404);

    const refused = await s.call('GET', '/lib/-/lib-2.0.0.tgz');
    expect(refused.status).toBe(403);
    const maturesAt = new Date(Date.parse(new Date(t - MIN).toISOString()) + DAY).toISOString();
    expect((await refused.json()).error).toBe(`lib@2.0.0 was published upstream at ${new Date(t - MIN).toISOString()}, less than 1d ago (minReleaseAge): it can be installed from ${maturesAt}`);
    expect(up.requests.some((r) => r.path.endsWith('lib-2.0.0.tgz'))).toBe(false);
    expect((await s.call('GET', '/lib/-/lib-1.1.0.tgz')).status).toBe(200);

    const report = await (await s.call('GET', '/-/fw/quarantine/lib')).json();
    expect(report).toEqual({
      name: 'lib', source: 'upstream', uplink: 'upstream', minReleaseAge: 86_400, excluded: false,
      quarantined: [
        { version: '2.0.0', publishedAt: new Date(t - MIN).toISOString(), maturesAt },
        { version: '2.1.0-beta.0', publishedAt: new Date(t - MIN).toISOString(), maturesAt },
      ],
      movedTags: { latest: { upstream: '2.0.0', served: '1.1.0' }, next: { upstream: '2.1.0-beta.0', served: '1.2.0-rc.0' } },
    });

    t += DAY;
    const later = await s.call('GET', '/lib');
    expect(later.headers.get('etag')).not.toBe(etag);
    expect((await later.json())['dist-tags']).toEqual({ latest: '2.0.0', next: '2.1.0-beta.0' });
    expect((await s.call('GET', '/lib/-/lib-2.0.0.tgz')).status).toBe(200);
    expect((await (await s.call('GET', '/-/fw/quarantine/lib')).json()).quarantined).toEqual([]);
  });

  it('a package with only young versions is refused as a whole; excluded patterns and minReleaseAge 0 are not gated; local packages never are', async () => {
    const up = upstream();
    const now = Date.now();
    await up.add('fresh', '1.0.0', { publishedAt: new Date(now - MIN) });
    await up.add('@types/fresh', '1.0.0', { publishedAt: new Date(now - MIN) });
    const s = proxying(up, { exclude: ['@types/*'] });
    const whole = await s.call('GET', '/fresh');
    expect(whole.status).toBe(403);
    expect((await whole.json()).error).toMatch(/^every version of fresh was published upstream less than 1d ago \(minReleaseAge\): the first can be installed from /);
    const typed = await s.call('GET', '/@types%2ffresh');
    expect(Object.keys((await typed.json()).versions)).toEqual(['1.0.0']);
    expect((await s.call('GET', '/@types/fresh/-/fresh-1.0.0.tgz')).status).toBe(200);
    expect(await (await s.call('GET', '/-/fw/quarantine/@types%2ffresh')).json()).toMatchObject({ excluded: true, minReleaseAge: 0, quarantined: [] });

    const off = proxying(up, { minReleaseAge: 0 });
    expect((await off.call('GET', '/fresh')).status).toBe(200);

    await publish(s, 'mine', '1.0.0');
    expect((await s.call('GET', '/mine')).status).toBe(200);
    expect(await (await s.call('GET', '/-/fw/quarantine/mine')).json()).toMatchObject({ source: 'local', quarantined: [] });
  });

  it('a version with no publish time upstream is held back too, with a message naming the exemption', async () => {
    const up = upstream();
    await up.add('timeless', '1.0.0');
    await up.add('timeless', '1.0.1', { publishedAt: null });
    const s = proxying(up);
    const doc = await (await s.call('GET', '/timeless')).json();
    expect(Object.keys(doc.versions)).toEqual(['1.0.0']);
    expect(doc['dist-tags'].latest).toBe('1.0.0');
    expect((await (await s.call('GET', '/-/fw/quarantine/timeless')).json()).quarantined).toEqual([{ version: '1.0.1', publishedAt: null, maturesAt: null }]);
    const refused = await s.call('GET', '/timeless/-/timeless-1.0.1.tgz');
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toBe('timeless@1.0.1 has no publish time upstream, so its age cannot be checked against minReleaseAge (1d); exempt it with minReleaseAgeExclude');
  });
});

describe('dependency confusion', () => {
  it('a name published here shows only its local versions, even once fully unpublished; a private rule is never looked up upstream', async () => {
    const up = upstream();
    await up.add('shared', '1.0.0');
    await up.add('shared', '9.0.0');
    await up.add('@acme/secret', '1.0.0');
    const rules: PackageRule[] = [{ pattern: '@acme/*', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'], private: true }, open];
    const s = proxying(up, { rules });
    await publish(s, 'shared', '2.0.0');
    const doc = await (await s.call('GET', '/shared')).json();
    expect(Object.keys(doc.versions)).toEqual(['2.0.0']);
    expect(doc['dist-tags']).toEqual({ latest: '2.0.0' });
    expect((await s.call('GET', '/shared/-/shared-9.0.0.tgz')).status).toBe(404);
    expect((await s.call('GET', '/-/package/shared/dist-tags')).status).toBe(200);
    expect(await (await s.call('GET', '/-/package/shared/dist-tags')).json()).toEqual({ latest: '2.0.0' });

    const rev = (await (await s.call('GET', '/shared?write=true')).json())._rev;
    expect((await s.call('DELETE', `/shared/-rev/${rev}`, { token: 'tok-ana' })).status).toBe(200);
    expect((await s.call('GET', '/shared')).status).toBe(404);
    expect((await s.call('GET', '/shared/9.0.0')).status).toBe(404);

    expect((await s.call('GET', '/@acme%2fsecret')).status).toBe(404);
    expect((await s.call('GET', '/@acme/secret/-/secret-1.0.0.tgz')).status).toBe(404);
    expect((await s.call('GET', '/-/fw/quarantine/@acme%2fsecret')).status).toBe(404);
    expect(up.requests.filter((r) => r.path.includes('shared') || r.path.includes('@acme'))).toEqual([]);
  });
});

describe('revalidation and loops', () => {
  it('revalidates a stale packument with If-None-Match, keeps it on 304, and picks up a change', async () => {
    const up = upstream();
    await up.add('reval', '1.0.0');
    const s = proxying(up);
    const first = await s.call('GET', '/reval');
    expect(first.status).toBe(200);
    const second = await s.call('GET', '/reval', { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(second.status).toBe(304);
    const asks = up.requests.filter((r) => r.path === '/reval');
    expect(asks).toHaveLength(2);
    expect(asks[0]!.headers['if-none-match']).toBeUndefined();
    expect(asks[1]!.headers['if-none-match']).toMatch(/^"[0-9a-f]{40}"$/);
    await up.add('reval', '1.1.0');
    const third = await s.call('GET', '/reval', { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(third.status).toBe(200);
    expect(Object.keys((await third.json()).versions)).toEqual(['1.0.0', '1.1.0']);
    // Upstream failing: the cached copy is still served.
    up.failWith = 500;
    expect(Object.keys((await (await s.call('GET', '/reval')).json()).versions)).toEqual(['1.0.0', '1.1.0']);
  });

  it('an uplink that failed twice in a row is left alone for failTimeout: kept copies served, others refused at once; then tried again', async () => {
    const up = upstream();
    let t = Date.now();
    await up.add('kept', '1.0.0');
    await up.add('fresh', '1.0.0');
    const s = proxying(up, { now: () => new Date(t), uplink: { maxage: 0, failTimeout: 60 } });
    expect((await s.call('GET', '/kept')).status).toBe(200);
    up.failWith = 503;
    const asked = up.requests.length;
    expect((await s.call('GET', '/fresh')).status).toBe(502);
    expect((await s.call('GET', '/fresh')).status).toBe(502);
    expect(up.requests.length).toBe(asked + 2);
    // down now: nothing more reaches it until failTimeout is over
    const refused = await s.call('GET', '/fresh');
    expect(refused.status).toBe(502);
    expect((await refused.json()).error).toBe('no uplink answered for fresh (upstream is marked down for 60 s more after 2 failures in a row)');
    const kept = await s.call('GET', '/kept');
    expect(kept.status).toBe(200);
    expect(Object.keys((await kept.json()).versions)).toEqual(['1.0.0']);
    const tgz = await s.call('GET', '/kept/-/kept-1.0.0.tgz');
    expect([tgz.status, (await tgz.json()).error]).toEqual([502, 'could not fetch kept@1.0.0: its uplink upstream is marked down for 60 s more after 2 failures in a row']);
    expect(up.requests.length).toBe(asked + 2);
    // the time is up: the next request tries again, and an answer clears the mark
    up.failWith = null;
    t += 61_000;
    expect((await s.call('GET', '/fresh')).status).toBe(200);
    expect((await s.call('GET', '/kept/-/kept-1.0.0.tgz')).status).toBe(200);
    expect(up.requests.length).toBe(asked + 4); // the packument, then the tarball
  });

  it('maxFails: 0 never marks an uplink down', async () => {
    const up = upstream();
    await up.add('lib', '1.0.0');
    const s = proxying(up, { uplink: { maxage: 0, maxFails: 0 } });
    up.failWith = 503;
    for (let i = 0; i < 4; i++) expect((await s.call('GET', '/lib')).status).toBe(502);
    expect(up.requests.length).toBe(4);
  });

  it('two registries that proxy each other answer an unknown name with an error instead of looping', async () => {
    const servers: Array<{ handler: (r: Request) => Response | Promise<Response> }> = [];
    const serve = (i: number) => Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (req) => servers[i]!.handler(req) });
    const a = serve(0);
    const b = serve(1);
    stops.push(() => a.stop(true), () => b.stop(true));
    const config = (url: string) => ({ publicUrl: BASE, packages: [open], uplinks: { upstream: { url, timeout: 5000, maxage: 0 } } });
    servers.push(setup({ rules: [open], config: config(`http://127.0.0.1:${b.port}`) }), setup({ rules: [open], config: config(`http://127.0.0.1:${a.port}`) }));
    const res = await fetch(`http://127.0.0.1:${a.port}/nowhere`);
    expect(res.status).toBe(502);
    expect((await res.json()).error).toBe('no uplink answered for nowhere');
    const looped = await fetch(`http://127.0.0.1:${a.port}/nowhere`, { headers: { 'x-fw-via': Array.from({ length: 8 }, (_, i) => `r${i}`).join(',') } });
    expect(looped.status).toBe(508);
  });
});
