import { describe, expect, it } from 'vitest';
import { keys } from '@factorywager/r2-store';
import { PackumentCache } from '../src/packages/packument-cache.ts';
import { memoryStore, publish, setup } from './_helpers.ts';

describe('packument cache', () => {
  it('sees a write made by another replica on the next read (head revalidation)', async () => {
    const store = memoryStore();
    const a = setup({ store });
    const b = setup({ store });
    await publish(a, 'shared-cache', '1.0.0');
    expect(Object.keys((await (await b.call('GET', '/shared-cache')).json()).versions)).toEqual(['1.0.0']);
    await publish(a, 'shared-cache', '1.1.0');
    expect(Object.keys((await (await b.call('GET', '/shared-cache')).json()).versions)).toEqual(['1.0.0', '1.1.0']);
    await store.delete(keys.manifest('shared-cache'));
    expect((await b.call('GET', '/shared-cache')).status).toBe(404);
  });

  it('shares one head among concurrent reads and serves the same serialized bytes', async () => {
    const s = setup();
    await publish(s, 'hot', '1.0.0');
    let heads = 0;
    const counting = { ...s.store, head: async (key: string) => { heads++; return s.store.head(key); } } as typeof s.store;
    const cache = new PackumentCache(counting);
    cache.stampMaxAgeMs = 0; // the change stamp would spare the head altogether
    const first = await cache.render('hot', 'full', false);
    heads = 0;
    const many = await Promise.all(Array.from({ length: 20 }, () => cache.render('hot', 'full', false)));
    expect(heads).toBe(1);
    for (const r of many) expect(r!.body).toBe(first!.body);
  });

  it('with a change stamp that has not moved, answers from memory without a head, synchronously, for up to stampMaxAgeMs', async () => {
    const s = setup();
    await publish(s, 'stamped', '1.0.0');
    let heads = 0;
    let now = 1_000_000;
    const counting = { ...s.store, head: async (key: string) => { heads++; return s.store.head(key); } } as typeof s.store;
    const cache = new PackumentCache(counting, 0, () => now);
    expect(cache.renderNow('stamped', 'full', false)).toBeUndefined(); // nothing cached yet
    const first = await cache.render('stamped', 'full', false); // the stamp is read before the manifest
    heads = 0;
    expect(cache.renderNow('stamped', 'full', false)!.body).toBe(first!.body);
    expect(cache.renderNow('stamped', 'full', true)).toBeUndefined(); // its gzip is not made yet
    expect(cache.readNow('stamped')!.doc.versions['1.0.0']).toBeDefined();
    await Promise.all(Array.from({ length: 20 }, () => cache.render('stamped', 'full', false)));
    expect(heads).toBe(0);
    now += 999;
    expect(cache.renderNow('stamped', 'full', false)).toBeDefined();
    now += 1; // the stamp stands in for a head for 1 s at most
    expect(cache.renderNow('stamped', 'full', false)).toBeUndefined();
    await cache.render('stamped', 'full', false);
    expect(heads).toBe(1);
    expect(cache.renderNow('stamped', 'full', false)).toBeDefined();
    // a write through the store (as another replica's) moves the stamp: the next read sees it
    await publish(s, 'stamped', '1.1.0');
    expect(cache.renderNow('stamped', 'full', false)).toBeUndefined();
    expect(cache.readNow('stamped')).toBeUndefined();
    const after = JSON.parse(new TextDecoder().decode((await cache.render('stamped', 'full', false))!.body));
    expect(Object.keys(after.versions)).toEqual(['1.0.0', '1.1.0']);
  });

  it('without a change stamp in the store, never answers without a head', async () => {
    const s = setup();
    await publish(s, 'unstamped', '1.0.0');
    const { changeStamp: _none, ...rest } = s.store;
    const cache = new PackumentCache(rest as typeof s.store);
    await cache.render('unstamped', 'full', false);
    await cache.render('unstamped', 'full', false);
    expect(cache.renderNow('unstamped', 'full', false)).toBeUndefined();
    expect(cache.readNow('unstamped')).toBeUndefined();
  });
});
