// The encoded list pages kept for logged-out visitors (`listPages`): served again only while the
// total and every row (object and relative age) read the same; never for a signed-in user.
import { describe, expect, it } from 'vitest';
import { createWebUi, type ListRow, type WebSource } from '../src/index.ts';
import { raw } from '../src/_html.ts';
import { ListPageCache } from '../src/_page-cache.ts';

const BASE = 'http://registry.test';
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');

function setup(listPages?: number) {
  const state = { clock: T0, rows: Array.from({ length: 60 }, (_, i): ListRow => ({ name: `pkg-${String(i).padStart(2, '0')}`, version: '1.0.0', modified: new Date(T0 - 2 * DAY).toISOString(), versions: 1 })) };
  const source: WebSource = {
    whoami: async (token) => (token === 'good' ? { name: 'ana' } : null),
    list: async (_token, { from, size }) => ({ total: state.rows.length, rows: state.rows.slice(from, from + size) }),
    package: async () => null,
    api: async () => new Response('{}'),
  };
  const web = createWebUi({ source, publicUrl: BASE, now: () => state.clock, ...(listPages === undefined ? {} : { listPages }) });
  const get = async (path: string, cookie?: string) => (await web.fetch(new Request(`${BASE}${path}`, { headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } }))).text();
  return { state, get };
}

describe('list pages kept for logged-out visitors', () => {
  it('serves a new row object afresh', async () => {
    const { state, get } = setup();
    expect(await get('/?page=1')).toContain('<span class="version">1.0.0</span>');
    state.rows[0] = { ...state.rows[0]!, version: '2.0.0' };
    expect(await get('/?page=1')).toContain('<span class="version">2.0.0</span>');
  });

  it('renders afresh when the total, a relative age or the URL changes', async () => {
    const { state, get } = setup();
    expect(await get('/?page=2')).toContain('51–60 of 60');
    state.rows.push({ name: 'pkg-zz', version: '1.0.0', modified: new Date(T0).toISOString(), versions: 1 });
    expect(await get('/?page=2')).toContain('51–61 of 61');
    expect(await get('/?page=1')).toContain('2 days ago');
    state.clock += DAY;
    expect(await get('/?page=1')).toContain('3 days ago');
    const partial = await get('/?page=1&partial=1');
    expect(partial).not.toContain('<html');
    expect(await get('/?page=1')).toContain('<html');
  });

  it('never keeps or serves a kept page for a signed-in user', async () => {
    const { get } = setup();
    const anonymous = await get('/?page=1');
    expect(anonymous).toContain('Log in');
    const signedIn = await get('/?page=1', 'fw_session=good');
    expect(signedIn).toContain('Signed in as <strong>ana</strong>');
    expect(await get('/?page=1')).toBe(anonymous);
  });

});

describe('ListPageCache', () => {
  const rows = [raw('<li>a</li>'), raw('<li>b</li>')];
  const counting = () => {
    let renders = 0;
    return { render: () => `page ${++renders}`, count: () => renders };
  };

  it('renders once while the key, total and row objects are the same, and gives the same bytes', () => {
    const cache = new ListPageCache(10);
    const r = counting();
    const first = cache.get('/?page=1', 2, rows, r.render);
    expect(cache.get('/?page=1', 2, [...rows], r.render)).toBe(first);
    expect(r.count()).toBe(1);
    expect(new TextDecoder().decode(first)).toBe('page 1');
    cache.get('/?page=1', 3, rows, r.render); // another total
    cache.get('/?page=1', 3, [rows[0]!, raw('<li>b</li>')], r.render); // an equal-looking but new row
    cache.get('/?page=2', 3, [rows[0]!, raw('<li>b</li>')], r.render); // another URL
    expect(r.count()).toBe(4);
  });

  it('keeps at most max pages, the least recently served going first; 0 keeps none', () => {
    const cache = new ListPageCache(2);
    const r = counting();
    cache.get('a', 1, rows, r.render);
    cache.get('b', 1, rows, r.render);
    cache.get('a', 1, rows, r.render); // served again: b is now the oldest
    cache.get('c', 1, rows, r.render); // b goes
    expect(r.count()).toBe(3);
    cache.get('a', 1, rows, r.render);
    expect(r.count()).toBe(3);
    cache.get('b', 1, rows, r.render);
    expect(r.count()).toBe(4);
    const none = new ListPageCache(0);
    const n = counting();
    none.get('a', 1, rows, n.render);
    none.get('a', 1, rows, n.render);
    expect(n.count()).toBe(2);
  });
});
