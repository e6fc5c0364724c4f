import { describe, expect, it } from 'vitest';
import type { HandlerContext } from '../src/_context.ts';
import { readableEntries } from '../src/_readable.ts';
import type { PackageRule } from '../src/config/types.ts';
import type { Principal } from '../src/auth/types.ts';
import type { IndexEntry } from '../src/packages/index-entry.ts';
import { ReadFilter, textIndexOf, textIndexWork } from '../src/packages/index-text.ts';
import type { IndexView } from '../src/packages/package-index.ts';
import { validateConfig } from '../src/config/validate.ts';
import { publish, setup, type Setup } from './_helpers.ts';
import { naiveSearch } from './_every-driver.ts';

const words = ['widget', 'react', 'parse', 'left', 'pad', 'util', 'http', 'cli', 'json', 'stream'];
const entryOf = (i: number, rev = 1, description?: string): IndexEntry => ({
  name: `pkg-${String(i).padStart(5, '0')}`, rev, version: `1.0.${rev}`, versions: 1, modified: '',
  description: description ?? `a ${words[i % 10]} tool for ${words[(i * 7) % 10]} number ${i}`,
  keywords: [words[(i * 3) % 10]!.toUpperCase(), 'seed'],
});
const names = (hits: { total: number; slice(from: number, size: number): IndexEntry[] }) => hits.slice(0, hits.total).map((e) => e.name);
const queries = ['widget', 'react tool', 'keywords:pad,json', 'keywords:cli widget', 'number 4', '12', 'pkg-00042', 'renamed', 'zzz', ''];

describe('the search index across index changes', () => {
  it('indexes only what changed when one entry of 10,000 changes, one is added or one removed, and finds the same as a test of every entry', () => {
    let list = Array.from({ length: 10_000 }, (_, i) => entryOf(i));
    textIndexOf(list, 64).query('widget');
    const changes: Array<(l: IndexEntry[]) => void> = [
      (l) => { l[42] = entryOf(42, 2, 'renamed widget thing'); }, // a publish: the entry is a new object
      (l) => { l.splice(5000, 0, { ...entryOf(5000), name: 'pkg-04999a', description: 'renamed newcomer' }); }, // a new package
      (l) => { l.splice(7, 1); }, // an unpublish
      (l) => { l[9000] = entryOf(9000, 3, 'renamed'); l[9001] = entryOf(9001, 3); }, // two at once
    ];
    for (const change of changes) {
      const before = { ...textIndexWork };
      const next = list.slice();
      change(next);
      const index = textIndexOf(next, 64);
      // the entries kept their objects: only the new ones are cut into trigrams, and the index is derived, not built
      expect(textIndexWork.tokenized - before.tokenized).toBeLessThanOrEqual(2);
      expect(textIndexWork.built - before.built).toBe(0);
      expect(textIndexWork.derived - before.derived).toBe(1);
      for (const q of queries) expect(names(index.query(q)), q).toEqual(naiveSearch(next, q));
      list = next;
    }
    // a list of other entries is built from scratch, and finds the same
    const fresh = list.map((e) => ({ ...e }));
    const before = { ...textIndexWork };
    for (const q of queries) expect(names(textIndexOf(fresh).query(q)), q).toEqual(naiveSearch(fresh, q));
    expect(textIndexWork.built - before.built).toBe(1);
    expect(textIndexWork.tokenized - before.tokenized).toBe(fresh.length);
  });

  it('splits and dedupes a keywords: word of thousands of terms once, with the same hits', () => {
    const list = Array.from({ length: 500 }, (_, i) => entryOf(i));
    const terms = Array.from({ length: 5000 }, (_, i) => (i % 2 ? 'json' : `nope${i % 100}`)).join(',');
    const q = `keywords:${terms} tool`;
    expect(names(textIndexOf(list).query(q))).toEqual(naiveSearch(list, q));
    expect(names(textIndexOf(list).query(q)).length).toBeGreaterThan(0);
  });
});

describe('one search index per view, a filter per caller', () => {
  const view = (entries: IndexEntry[]): IndexView => ({ entries, get: (n) => entries.find((e) => e.name === n), dependents: () => [] });
  const principal = (name: string, roles: string[] = []): Principal => ({ name, roles, readOnly: false }) as Principal;

  it('answers two callers with different rights from one index, and keeps little per caller', async () => {
    const all = Array.from({ length: 10_000 }, (_, i) => entryOf(i));
    const v = view(all);
    let checks = 0;
    // ana may read even numbers, bob and carl multiples of three, root everything
    const can = (p: Principal | null, _a: string, name: string) => {
      checks++;
      const n = Number(name.slice(4));
      return p?.name === 'root' || (p?.name === 'ana' ? n % 2 === 0 : n % 3 === 0);
    };
    const ctx = { index: { view: async () => v }, auth: { can } } as unknown as HandlerContext;
    const readable = readableEntries(ctx, 100);
    const before = { ...textIndexWork };
    const [ana, bob, carl, root] = await Promise.all(['ana', 'bob', 'carl', 'root'].map((n) => readable(principal(n))));
    expect(root!.filter).toBeNull();
    expect(root!.entries).toBe(all);
    // callers with the same rights share one list and filter
    expect(carl).toBe(bob);
    expect(ana!.filter).not.toBe(bob!.filter);
    for (const q of queries) {
      for (const r of [ana!, bob!, root!]) {
        const hits = textIndexOf(r.view.entries, 64).query(q, r.filter ?? undefined);
        expect(names(hits), q).toEqual(naiveSearch(r.entries, q));
      }
    }
    expect(names(textIndexOf(all, 64).query('pkg-00044', ana!.filter!))).toEqual(['pkg-00044']);
    expect(names(textIndexOf(all, 64).query('pkg-00044', bob!.filter!))).toEqual([]);
    // one index for the view, whatever the callers
    expect(textIndexWork.built + textIndexWork.derived - before.built - before.derived).toBe(1);
    // what a caller keeps: a byte per entry and its kept answers (4 bytes per hit), not an index
    const kept = ana!.filter!.keptBytes();
    const answers = [...ana!.filter!.answers.values()].reduce((n, a) => n + a.length * 4, 0);
    expect(kept).toBe(all.length + answers);
    expect(kept).toBeLessThan(200_000);
    expect(ana!.filter!.answers.size).toBeLessThanOrEqual(64);
    // a caller seen again is not filtered again
    const checked = checks;
    expect(await readable(principal('ana'))).toBe(ana);
    expect(checks).toBe(checked);
  });

  it('keeps the answers of index.searchQueries queries per caller and the last index.callers callers (default 100)', async () => {
    expect(validateConfig({}).index.callers).toBe(100);
    expect(validateConfig({ index: { callers: 5 } }).index.callers).toBe(5);
    expect(() => validateConfig({ index: { callers: 0 } })).toThrow(/index\.callers/);
    expect(() => validateConfig({ index: { callers: 1.5 } })).toThrow(/index\.callers/);
    const all = Array.from({ length: 300 }, (_, i) => entryOf(i));
    const filter = new ReadFilter(Uint8Array.from(all, (_, i) => (i % 2 ? 1 : 0)), all.filter((_, i) => i % 2));
    for (const q of ['widget', 'react', 'parse', 'left', 'widget']) expect(names(textIndexOf(all, 2).query(q, filter))).toEqual(naiveSearch(filter.entries, q));
    expect([...filter.answers.keys()]).toEqual(['left', 'widget']);

    const v = view(all);
    let checks = 0;
    const ctx = { index: { view: async () => v }, auth: { can: (p: Principal | null, _a: string, name: string) => (checks++, p?.name === name.slice(-1)) } } as unknown as HandlerContext;
    const readable = readableEntries(ctx, 2);
    const a = await readable(principal('1'));
    await readable(principal('2'));
    expect(await readable(principal('1'))).toBe(a); // kept: recently seen
    await readable(principal('3')); // forgets '2', the least recently seen
    const checked = checks;
    expect(await readable(principal('1'))).toBe(a);
    expect(checks).toBe(checked);
    await readable(principal('2'));
    expect(checks).toBe(checked + all.length);
  });
});

describe('search by callers with different rights over HTTP', () => {
  const rules: PackageRule[] = [
    { pattern: 'team-*', access: ['dev'], publish: ['dev'], unpublish: ['dev'] },
    { pattern: 'ops-*', access: ['dev', 'admin'], publish: ['dev'], unpublish: ['dev'] },
    { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] },
  ];
  const search = async (s: Setup, text: string, token?: string) => {
    const res = await (await s.call('GET', `/-/v1/search?text=${encodeURIComponent(text)}&size=250`, token ? { token } : {})).json();
    return (res.objects as Array<{ package: { name: string } }>).map((o) => o.package.name);
  };

  it('gives each caller its own hits from one index per view, right after a publish too', async () => {
    const s = setup({ rules, config: { publicUrl: 'http://registry.test', packages: [], uplinks: {}, index: { cacheTtl: 0, searchQueries: 4 } } });
    for (const n of ['team-widget', 'ops-widget', 'widget', 'other']) await publish(s, n, '1.0.0', { manifest: { description: 'a widget' } });
    const before = { ...textIndexWork };
    expect(await search(s, 'widget', 'tok-ana')).toEqual(['widget', 'ops-widget', 'other', 'team-widget']);
    expect(await search(s, 'widget', 'tok-admin')).toEqual(['widget', 'ops-widget', 'other']);
    expect(await search(s, 'widget', 'tok-bob')).toEqual(['widget', 'other']);
    expect(await search(s, 'widget')).toEqual(['widget', 'other']);
    expect(textIndexWork.built + textIndexWork.derived - before.built - before.derived).toBe(1);
    // the web list pages the same hits
    const page = await (await s.call('GET', '/?q=widget', { token: 'tok-bob' })).text();
    expect(page).toContain('other');
    expect(page).not.toContain('ops-widget');
    // a publish: the next search of every caller sees it
    await publish(s, 'team-gadget', '1.0.0', { manifest: { description: 'a widget too' } });
    await publish(s, 'gadget', '1.0.0', { manifest: { description: 'a widget three' } });
    expect(await search(s, 'widget', 'tok-ana')).toEqual(['widget', 'gadget', 'ops-widget', 'other', 'team-gadget', 'team-widget']);
    expect(await search(s, 'widget', 'tok-bob')).toEqual(['widget', 'gadget', 'other']);
    expect(await search(s, 'widget', 'tok-admin')).toEqual(['widget', 'gadget', 'ops-widget', 'other']);
  });
});
