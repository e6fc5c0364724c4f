import { describe, expect, it } from 'vitest';
import { createStore, keys } from '@factorywager/r2-store';
import { appendHistory, readHistory, type HistoryEvent } from '../src/index.ts';

const ev = (type: HistoryEvent['type'], version: string, i = 0): HistoryEvent => ({
  type, actor: 'ana', time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), version, before: null, after: version,
});

describe('package history storage', () => {
  it('appends one new object per batch, never rewriting one, and reads them back in order', async () => {
    const store = createStore({ driver: 'memory' });
    await appendHistory(store, '@acme/h', [ev('publish', '1.0.0')]);
    await appendHistory(store, '@acme/h', [ev('deprecate', '1.0.0'), ev('deprecate', '1.0.1')]);
    await appendHistory(store, '@acme/h', []);
    await appendHistory(store, '@acme/h', [ev('rollback', '1.0.0')]);
    const listed = await store.list({ prefix: keys.versionHistoryPrefix('@acme/h') });
    expect(listed.keys).toHaveLength(3);
    expect(await store.head(keys.versionHistory('@acme/h'))).toBeNull();
    const h = await readHistory(store, '@acme/h');
    expect(h!.name).toBe('@acme/h');
    expect(h!.events.map((e) => `${e.type}:${e.version}`)).toEqual(['publish:1.0.0', 'deprecate:1.0.0', 'deprecate:1.0.1', 'rollback:1.0.0']);
  });

  it('reads an older store\'s history.json first, then the appended events', async () => {
    const store = createStore({ driver: 'memory' });
    await store.putJson(keys.versionHistory('old'), { name: 'old', events: [ev('publish', '0.1.0'), ev('tag', '0.1.0')] });
    expect((await readHistory(store, 'old'))!.events.map((e) => e.type)).toEqual(['publish', 'tag']);
    await appendHistory(store, 'old', [ev('publish', '0.2.0')]);
    const h = await readHistory(store, 'old');
    expect(h!.events.map((e) => `${e.type}:${e.version}`)).toEqual(['publish:0.1.0', 'tag:0.1.0', 'publish:0.2.0']);
    // the old object is read, never rewritten
    expect((await store.getJson<{ events: unknown[] }>(keys.versionHistory('old')))!.events).toHaveLength(2);
  });

  it('filters by type and keeps the newest `limit` events, oldest first, across old and new storage', async () => {
    const store = createStore({ driver: 'memory' });
    await store.putJson(keys.versionHistory('lim'), { name: 'lim', events: [ev('publish', '1.0.0'), ev('tag', '1.0.0')] });
    for (let i = 1; i <= 5; i++) await appendHistory(store, 'lim', [ev('publish', `1.${i}.0`), ev('tag', `1.${i}.0`)]);
    expect((await readHistory(store, 'lim', { limit: 3 }))!.events.map((e) => `${e.type}:${e.version}`)).toEqual(['tag:1.4.0', 'publish:1.5.0', 'tag:1.5.0']);
    expect((await readHistory(store, 'lim', { type: 'publish', limit: 2 }))!.events.map((e) => e.version)).toEqual(['1.4.0', '1.5.0']);
    expect((await readHistory(store, 'lim', { type: ['publish'] }))!.events.map((e) => e.version)).toEqual(['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0', '1.5.0']);
    expect((await readHistory(store, 'lim', { type: 'rollback' }))!.events).toEqual([]);
    expect((await readHistory(store, 'lim', { limit: 0 }))!.events).toEqual([]);
  });

  it('resolves null for a package with no history', async () => {
    expect(await readHistory(createStore({ driver: 'memory' }), 'none')).toBeNull();
  });

  it('concurrent appends to one package all land', async () => {
    const store = createStore({ driver: 'memory' });
    await Promise.all(Array.from({ length: 50 }, (_, i) => appendHistory(store, 'busy', [ev('publish', `1.0.${i}`)])));
    const versions = (await readHistory(store, 'busy'))!.events.map((e) => e.version);
    expect(versions).toHaveLength(50);
    expect(new Set(versions).size).toBe(50);
  });
});
