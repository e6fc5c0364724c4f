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
    const first = await cache.render('hot', 'full', false);
    heads = 0;
    const many = await Promise.all(Array.from({ length: 20 }, () => cache.render('hot', 'full', false)));
    expect(heads).toBe(1);
    for (const r of many) expect(r!.body).toBe(first!.body);
  });
});
