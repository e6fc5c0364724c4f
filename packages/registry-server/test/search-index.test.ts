import { describe, expect, it } from 'vitest';
import { keys, wrapStore } from '@factorywager/r2-store';
import type { IndexEntry } from '../src/packages/index-entry.ts';
import { queryEntries } from '../src/packages/index-search.ts';
import { validateConfig } from '../src/config/validate.ts';
import { publish, setup, type Setup } from './_helpers.ts';
import { everyDriver, naiveSearch } from './_every-driver.ts';

describe('search over the trigram index', () => {
  const words = ['pad', 'left', 'widget', 'react', 'ui', 'parse', 'Ünïcode', 'x'];
  const entries: IndexEntry[] = Array.from({ length: 600 }, (_, i) => ({
    name: i % 50 === 0 ? words[i % 8]! : `${words[i % 8]}-${words[(i * 7) % 8]}-${i}`, rev: 1, version: '1.0.0', versions: 1, modified: '',
    description: i % 5 ? `${words[(i * 3) % 8]} tools\u00a0for ${words[(i * 5) % 8]}\tand\u3000more` : undefined,
    keywords: i % 4 ? [words[(i * 5) % 8]!.toUpperCase(), 'CLI'] : undefined,
  }));
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));

  it('finds what a test of every entry finds, in the same order, for long, short and odd words', () => {
    const queries = ['pad', 'PAD', 'left-pad', 'tools', 'widget react', 'ui keywords:parse', 'keywords:pad,ui', 'keywords:cli pad',
      '-12', '2', 'e', 'ui', 'nothing-like-this', 'ls\nparse', '7 left', 'widget', 'pad widget', 'ünï', 'ode', 'for\u00a0widget',
      'tools for', 'and', 'r\u3000more', '', '   ', 'x', 'keywords:', 'keywords:nope', 's\nfor', 'pad-widget-40', 'left left'];
    for (const q of queries) {
      const hits = queryEntries(entries, q);
      expect(hits.slice(0, hits.total).map((e) => e.name), JSON.stringify(q)).toEqual(naiveSearch(entries, q));
    }
    // exact name matches come first even when they sort after other hits
    expect(queryEntries(entries, 'widget').slice(0, 1).map((e) => e.name)).toEqual(['widget']);
    expect(queryEntries(entries, 'widget').total).toBeGreaterThan(10);
  });

  it('keeps the hits of index.searchQueries queries per list: 64 by default, a whole number from 0', () => {
    expect(validateConfig({}).index.searchQueries).toBe(64);
    expect(validateConfig({ index: { searchQueries: 0 } }).index.searchQueries).toBe(0);
    expect(() => validateConfig({ index: { searchQueries: -1 } })).toThrow(/index\.searchQueries/);
    expect(() => validateConfig({ index: { searchQueries: 2.5 } })).toThrow(/index\.searchQueries/);
    // answers kept or not, the same hits
    for (const remember of [0, 1, 3]) {
      const list = entries.slice(); // a list of its own: an index of its own
      for (const q of ['pad', 'widget', 'pad', 'ui', 'widget', 'pad', 'PAD']) {
        const hits = queryEntries(list, q, remember);
        expect(hits.slice(0, hits.total).map((e) => e.name)).toEqual(naiveSearch(entries, q));
      }
    }
  });

  it('pages the hits: every page is the same slice of the whole answer', () => {
    const all = naiveSearch(entries, 'pad');
    const hits = queryEntries(entries, 'pad');
    expect(hits.total).toBe(all.length);
    const paged: string[] = [];
    for (let from = 0; from < hits.total + 7; from += 7) paged.push(...hits.slice(from, 7).map((e) => e.name));
    expect(paged).toEqual(all);
    expect(queryEntries(entries, '').slice(590, 50).map((e) => e.name)).toEqual(entries.slice(590).map((e) => e.name));
  });
});

const search = async (s: Setup, text: string) => {
  const res = await (await s.call('GET', `/-/v1/search?text=${encodeURIComponent(text)}&size=250`)).json();
  return { total: res.total as number, names: (res.objects as Array<{ package: { name: string; version: string } }>).map((o) => `${o.package.name}@${o.package.version}`) };
};

const drivers = everyDriver('fw-search-');

describe.each(drivers)('search index over HTTP (%s driver)', (_name, makeDriver) => {
  it('sees every index change on the next search, and answers the same from a rebuilt index', async () => {
    const store = wrapStore(await makeDriver());
    // two remembered queries: 'widget' is asked again after others pushed it out, and after changes
    const cfg = { publicUrl: 'http://registry.test', packages: [], uplinks: {}, index: { cacheTtl: 0, searchQueries: 2 } };
    const s = setup({ store, config: cfg });
    await publish(s, 'widget-core', '1.0.0', { manifest: { description: 'the widget engine' } });
    await publish(s, 'fancy', '1.0.0', { manifest: { keywords: ['widget'] } });
    expect(await search(s, 'widget')).toEqual({ total: 2, names: ['fancy@1.0.0', 'widget-core@1.0.0'] });
    expect(await search(s, 'WIDGET')).toEqual(await search(s, 'widget'));
    expect((await search(s, 'engine')).names).toEqual(['widget-core@1.0.0']);
    expect((await search(s, 'fancy')).names).toEqual(['fancy@1.0.0']);
    expect(await search(s, 'widget')).toEqual({ total: 2, names: ['fancy@1.0.0', 'widget-core@1.0.0'] });
    // a publish is found by the next search (the index of the old view is not reused)
    await publish(s, 'widget', '1.0.0');
    await publish(s, 'widget', '2.0.0');
    expect(await search(s, 'widget')).toEqual({ total: 3, names: ['widget@2.0.0', 'fancy@1.0.0', 'widget-core@1.0.0'] });
    // a dist-tag move changes the version found
    expect((await s.call('PUT', '/-/package/widget/dist-tags/latest', { token: 'tok-ana', body: '1.0.0' })).status).toBe(200);
    expect((await search(s, 'idge')).names).toEqual(['fancy@1.0.0', 'widget@1.0.0', 'widget-core@1.0.0']);
    // an unpublish removes it
    const rev = (await (await s.call('GET', '/fancy?write=true', { token: 'tok-ana' })).json())._rev;
    expect((await s.call('DELETE', `/fancy/-rev/${rev}`, { token: 'tok-ana' })).status).toBe(200);
    const before = await search(s, 'widget');
    expect(before).toEqual({ total: 2, names: ['widget@1.0.0', 'widget-core@1.0.0'] });

    // the index goes away; another process rebuilds it from the manifests and finds the same
    const page = await store.list({ prefix: keys.packageIndexPrefix() });
    await store.deleteMany(page.keys);
    const b = setup({ store, config: cfg });
    expect(await search(b, 'widget')).toEqual(before);
    expect(await search(b, 'engine')).toEqual({ total: 1, names: ['widget-core@1.0.0'] });
  });
});
