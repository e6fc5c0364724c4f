import { describe, expect, it } from 'vitest';
import { keys, memoryDriver, wrapStore, type ObjectStore, type Store } from '@factorywager/r2-store';
import { PackageIndex } from '../src/packages/package-index.ts';
import type { Packument } from '../src/packages/packument.ts';
import { publish, setup, type Setup } from './_helpers.ts';
import { everyDriver } from './_every-driver.ts';

/** A driver that counts reads per kind of key, to prove what a request touches. */
function counting(driver: ObjectStore) {
  const reads = { manifest: 0, index: 0 };
  const count = (key: string) => {
    if (key.endsWith('/manifest.json')) reads.manifest++;
    if (key.startsWith('index/')) reads.index++;
  };
  const wrapped: ObjectStore = {
    ...driver,
    name: driver.name,
    get: (k) => { count(k); return driver.get(k); },
    getStream: (k) => { count(k); return driver.getStream(k); },
    head: (k) => { count(k); return driver.head(k); },
    put: (k, b, o) => driver.put(k, b, o),
    delete: (k) => driver.delete(k),
    deleteMany: (k) => driver.deleteMany(k),
    list: (o) => driver.list(o),
  };
  return { driver: wrapped, reads };
}

const names = async (s: Setup, query = '') => ((await (await s.call('GET', `/-/fw/packages${query}`)).json()).packages as Array<{ name: string }>).map((p) => p.name);
const hits = async (s: Setup, text: string) => ((await (await s.call('GET', `/-/v1/search?text=${encodeURIComponent(text)}&size=250`)).json()).objects as Array<{ package: { name: string } }>).map((o) => o.package.name);

const drivers = everyDriver('fw-index-');

describe.each(drivers)('package index (%s driver)', (_name, makeDriver) => {
  it('follows publish, tag, deprecate and unpublish, and a list or search reads only the index', async () => {
    const { driver, reads } = counting(await makeDriver());
    const store = wrapStore(driver);
    const s = setup({ store, config: { publicUrl: 'http://registry.test', packages: [], uplinks: {}, index: { cacheTtl: 0 } } });
    await publish(s, 'alpha-tool', '1.0.0', { manifest: { keywords: ['cli'], dependencies: { '@acme/beta': '^1.0.0' } } });
    await publish(s, '@acme/beta', '1.0.0', { manifest: { description: 'a tool for beta' } });
    await publish(s, 'gamma', '1.0.0');
    await publish(s, 'gamma', '2.0.0');
    expect(await names(s)).toEqual(['@acme/beta', 'alpha-tool', 'gamma']);

    // a tag move shows as the listed version; a deprecation as a flag
    expect((await s.call('PUT', '/-/package/gamma/dist-tags/latest', { token: 'tok-ana', body: '1.0.0' })).status).toBe(200);
    const doc = await (await s.call('GET', '/gamma?write=true', { token: 'tok-ana' })).json();
    doc.versions['1.0.0'].deprecated = 'use 2';
    expect((await s.call('PUT', '/gamma', { token: 'tok-ana', body: doc })).status).toBe(200);
    const gamma = (await (await s.call('GET', '/-/fw/packages')).json()).packages.find((p: { name: string }) => p.name === 'gamma');
    expect(gamma).toMatchObject({ version: '1.0.0', versions: 2, deprecated: 'use 2' });

    reads.manifest = 0;
    reads.index = 0;
    expect(await hits(s, 'tool')).toEqual(['@acme/beta', 'alpha-tool']);
    expect(await hits(s, 'keywords:cli')).toEqual(['alpha-tool']);
    expect(await names(s)).toHaveLength(3);
    expect(reads.manifest).toBe(0);
    // at most a head and a get per shard per request
    expect(reads.index).toBeLessThanOrEqual(3 * 32);

    // unpublish the whole package: it leaves the list (a tombstone stays in the index)
    const rev = (await (await s.call('GET', '/alpha-tool?write=true', { token: 'tok-ana' })).json())._rev;
    expect((await s.call('DELETE', `/alpha-tool/-rev/${rev}`, { token: 'tok-ana' })).status).toBe(200);
    expect(await names(s)).toEqual(['@acme/beta', 'gamma']);
    const listed = await store.list({ prefix: keys.packageIndexPrefix() });
    expect(listed.keys.length).toBeGreaterThan(1);
  });

  it('is rebuilt from the manifests when missing, and sees changes made by another replica', async () => {
    const store = wrapStore(await makeDriver());
    const cfg = { publicUrl: 'http://registry.test', packages: [], uplinks: {}, index: { cacheTtl: 0 } };
    const a = setup({ store, config: cfg });
    await publish(a, 'one', '1.0.0');
    await publish(a, '@s/two', '1.0.0');
    // the index goes away (an older data folder, or someone deleted it)
    let page = await store.list({ prefix: keys.packageIndexPrefix() });
    await store.deleteMany(page.keys);
    expect((await store.list({ prefix: keys.packageIndexPrefix() })).keys).toEqual([]);
    const b = setup({ store, config: cfg });
    expect(await names(b)).toEqual(['@s/two', 'one']);
    page = await store.list({ prefix: keys.packageIndexPrefix() });
    expect(page.keys).toContain('index/packages/meta.json');
    // a publish through replica a is listed by replica b at once (cacheTtl 0)
    await publish(a, 'three', '1.0.0');
    expect(await names(b)).toEqual(['@s/two', 'one', 'three']);
  });
});

describe('package index repair and races', () => {
  it('rebuilds an index older than rebuildAfter, repairing an entry a crash left out', async () => {
    const store = wrapStore(memoryDriver());
    let t = Date.parse('2026-01-01T00:00:00Z');
    const s = setup({ store, now: () => new Date(t) });
    await publish(s, 'kept', '1.0.0');
    let collections = 0;
    const index = new PackageIndex(store, { cacheTtlMs: 0, rebuildAfterMs: 3_600_000, now: () => t, collect: () => collections++ });
    expect((await index.view()).entries.map((e) => e.name)).toEqual(['kept']);
    const before = collections;
    // a manifest written without its index update (a crash between the two writes)
    const doc = (await store.getJson<Packument>(keys.manifest('kept')))!;
    await store.putJson(keys.manifest('orphan'), { ...doc, _id: 'orphan', name: 'orphan', versions: { '1.0.0': { ...doc.versions['1.0.0']!, name: 'orphan' } } });
    expect((await index.view()).get('orphan')).toBeUndefined();
    t += 3_600_000 + 61_000;
    await index.view(); // notices the age and starts a rebuild in the background
    await index.rebuild(); // joins it
    expect((await index.view()).entries.map((e) => e.name)).toEqual(['kept', 'orphan']);
    // a rebuild collects garbage before, after its listing and at its end; views that read do not
    expect(collections - before).toBe(3);
    await index.view();
    expect(collections - before).toBe(3);
  });

  it('keeps every package when replicas publish different packages at the same time', async () => {
    const store: Store = wrapStore(memoryDriver());
    const replicas = [setup({ store }), setup({ store }), setup({ store }), setup({ store })];
    await Promise.all(replicas.flatMap((r, i) => Array.from({ length: 10 }, (_, j) => publish(r, `p${i}-${j}`, '1.0.0'))));
    const index = new PackageIndex(store, { cacheTtlMs: 0 });
    expect((await index.view()).entries).toHaveLength(40);
  });

  it('lists uplink copies marked with their uplink, and a local package wins over one', async () => {
    const store = wrapStore(memoryDriver());
    const index = new PackageIndex(store, { cacheTtlMs: 0 });
    const upstream = { _id: 'left-pad', _rev: '', name: 'left-pad', 'dist-tags': { latest: '1.3.0' }, versions: { '1.3.0': { name: 'left-pad', version: '1.3.0', dist: { tarball: '', shasum: '', integrity: '' } } }, time: { modified: '2020-01-01T00:00:00Z' } } as Packument;
    // as the uplinks module stores it, then tells the index
    await store.putJson(keys.uplinkPackument('left-pad'), { uplink: 'npmjs', fetchedAt: 1000, doc: upstream });
    await index.record(upstream, { uplink: 'npmjs', rev: 1000 });
    expect((await index.view()).get('left-pad')).toMatchObject({ uplink: 'npmjs', version: '1.3.0' });
    const s = setup({ store });
    await publish(s, 'left-pad', '9.0.0');
    expect((await index.view()).get('left-pad')).toMatchObject({ version: '9.0.0' });
    expect((await index.view()).get('left-pad')!.uplink).toBeUndefined();
    await index.record(upstream, { uplink: 'npmjs', rev: 2000 });
    expect((await index.view()).get('left-pad')!.uplink).toBeUndefined();
  });
});
