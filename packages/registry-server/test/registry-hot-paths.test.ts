import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/index.ts';
import { memoryStore, publish, setup, tarball } from './_helpers.ts';

const closedRules = [{ pattern: '@private/*', access: ['$authenticated'], publish: ['$authenticated'], unpublish: ['$authenticated'] }, { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] }];

describe('hot GETs before the router', () => {
  it('answers an anonymous packument GET as the router answers a logged-in one: same bytes, ETag, 304, both name forms', async () => {
    const s = setup();
    await publish(s, '@acme/hot', '1.0.0');
    await publish(s, '@acme/hot', '1.1.0');
    for (const accept of [undefined, 'application/vnd.npm.install-v1+json']) {
      const headers: Record<string, string> = accept ? { accept } : {};
      const anonymous = await s.call('GET', '/@acme%2fhot', { headers });
      const viaRouter = await s.call('GET', '/@acme%2fhot', { headers, token: 'tok-ana' });
      const slash = await s.call('GET', '/@acme/hot', { headers });
      expect(anonymous.status).toBe(200);
      expect(anonymous.headers.get('etag')).toBe(viaRouter.headers.get('etag'));
      expect(slash.headers.get('etag')).toBe(viaRouter.headers.get('etag'));
      expect(anonymous.headers.get('content-type')).toBe(viaRouter.headers.get('content-type'));
      const body = await anonymous.text();
      expect(body).toBe(await viaRouter.text());
      expect(Object.keys(JSON.parse(body).versions)).toEqual(['1.0.0', '1.1.0']);
      const revalidated = await s.call('GET', '/@acme/hot', { headers: { ...headers, 'if-none-match': anonymous.headers.get('etag')! } });
      expect(revalidated.status).toBe(304);
    }
    // the full and abbreviated forms never share an ETag
    const full = (await s.call('GET', '/@acme/hot')).headers.get('etag');
    const abbr = (await s.call('GET', '/@acme/hot', { headers: { accept: 'application/vnd.npm.install-v1+json' } })).headers.get('etag');
    expect(full).not.toBe(abbr);
    expect((await s.call('GET', '/@acme/hot', { headers: { 'if-none-match': abbr! } })).status).toBe(200);
  });

  it('leaves what it does not serve to the router: a package anonymous may not read, a missing one, a bad name, ?write=true', async () => {
    const s = setup({ rules: closedRules });
    await publish(s, '@private/secret', '1.0.0');
    const denied = await s.call('GET', '/@private%2fsecret');
    expect(denied.status).toBe(401);
    expect((await denied.json()).error).toContain('log in');
    expect((await s.call('GET', '/@private%2fsecret/-/secret-1.0.0.tgz')).status).toBe(401);
    expect((await s.call('GET', '/@private%2fsecret', { token: 'tok-ana' })).status).toBe(200);
    const missing = await s.call('GET', '/not-here');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: expect.stringContaining('not-here') });
    expect((await s.call('GET', '/node_modules')).status).toBe(400);
    await publish(s, 'open-pkg', '1.0.0');
    const write = await s.call('GET', '/open-pkg?write=true');
    expect(write.headers.get('cache-control')).toBe('no-store');
  });
});

describe('tarball cache', () => {
  it('serves a small tarball from memory, and stops at once when another replica unpublishes its version', async () => {
    const base = memoryStore();
    let streams = 0;
    const store = { ...base, getStream: (key: string) => { if (key.endsWith('.tgz')) streams++; return base.getStream(key); } } as typeof base;
    const a = setup({ store });
    const b = setup({ store: base });
    const tgz = await tarball('cached', '1.0.0');
    await publish(b, 'cached', '1.0.0', { tgz });
    await publish(b, 'cached', '1.1.0');
    for (let i = 0; i < 3; i++) {
      const res = await a.call('GET', '/cached/-/cached-1.0.0.tgz');
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(tgz))).toBe(true);
    }
    expect(streams).toBe(1);
    // b unpublishes 1.0.0 (npm's way: the packument without it at its revision, then the tarball)
    const doc = await (await b.call('GET', '/cached?write=true')).json();
    delete doc.versions['1.0.0'];
    expect((await b.call('PUT', `/cached/-rev/${doc._rev}`, { token: 'tok-ana', body: doc })).status).toBe(200);
    expect((await a.call('GET', '/cached/-/cached-1.0.0.tgz')).status).toBe(404);
    expect((await a.call('GET', '/cached/-/cached-1.1.0.tgz')).status).toBe(200);
  });

  it('streams every GET when turned off (cache.tarballBytes 0) or when the tarball is larger than cache.tarballMaxSize', async () => {
    for (const cache of [{ tarballBytes: 0 }, { tarballMaxSize: 10 }]) {
      const base = memoryStore();
      let streams = 0;
      const store = { ...base, getStream: (key: string) => { if (key.endsWith('.tgz')) streams++; return base.getStream(key); } } as typeof base;
      const s = setup({ store, config: { publicUrl: '', packages: [], uplinks: {}, cache } });
      await publish(s, 'streamed', '1.0.0');
      for (let i = 0; i < 2; i++) expect((await s.call('GET', '/streamed/-/streamed-1.0.0.tgz')).status).toBe(200);
      expect(streams).toBe(2);
    }
  });
});

describe('stats from the package index', () => {
  it('counts versions and bytes from the index, this process’s downloads at once, another replica’s after cache.statsTtl', async () => {
    let clock = Date.parse('2026-06-01T00:00:00Z');
    const store = memoryStore();
    const a = setup({ store, now: () => new Date(clock), config: { publicUrl: '', packages: [], uplinks: {}, cache: { statsTtl: 60 } } });
    const b = setup({ store, now: () => new Date(clock) });
    const tgz = await tarball('counted', '1.0.0');
    await publish(a, 'counted', '1.0.0', { tgz });
    const stats = async () => (await (await a.call('GET', '/-/fw/stats')).json()) as { packages: number; versions: number; bytes: number; downloads: number };
    expect(await stats()).toMatchObject({ packages: 1, versions: 1, bytes: tgz.byteLength, downloads: 0 });
    await (await a.call('GET', '/counted/-/counted-1.0.0.tgz')).arrayBuffer();
    expect((await stats()).downloads).toBe(1);
    await (await b.call('GET', '/counted/-/counted-1.0.0.tgz')).arrayBuffer();
    await b.handler.idle();
    expect(await store.getJson(`versions/counted/downloads.json`)).toMatchObject({ total: 2 });
    expect((await stats()).downloads).toBe(1); // b's download: not read again within the TTL
    clock += 61_000;
    expect((await stats()).downloads).toBe(2);
  });
});

describe('cache config', () => {
  it('has defaults and refuses values that are not whole numbers of their range', () => {
    expect(validateConfig({}).cache).toEqual({ packumentRevalidate: 0, changeMapMaxAge: 1, packuments: 1000, packumentBytes: 64 * 1024 * 1024, tarballBytes: 16 * 1024 * 1024, tarballMaxSize: 256 * 1024, statsTtl: 10, webListPages: 100 });
    expect(validateConfig({ cache: { tarballBytes: 0 } }).cache.tarballBytes).toBe(0);
    expect(validateConfig({ cache: { webListPages: 0 } }).cache.webListPages).toBe(0);
    expect(() => validateConfig({ cache: { webListPages: 2.5 } })).toThrow(/cache\.webListPages/);
    expect(() => validateConfig({ cache: { tarballBytes: -1 } })).toThrow(/cache\.tarballBytes/);
    expect(() => validateConfig({ cache: { packuments: 1.5 } })).toThrow(/cache\.packuments/);
    expect(() => validateConfig({ cache: { size: 1 } })).toThrow(/size/);
  });
});

describe('search over the joined index text', () => {
  it('finds what a test of every entry finds: substrings of names, descriptions and keywords, every word, never across two entries', async () => {
    const { matchEntries } = await import('../src/index.ts');
    const words = ['pad', 'left', 'widget', 'react', 'ui', 'parse'];
    const entries = Array.from({ length: 400 }, (_, i) => ({
      name: `${words[i % 6]}-${words[(i * 7) % 6]}-${i}`, rev: 1, version: '1.0.0', versions: 1, modified: '',
      description: i % 5 ? `${words[(i * 3) % 6]} tools` : undefined, keywords: i % 4 ? [words[(i * 5) % 6]!] : undefined,
    })).sort((a, b) => (a.name < b.name ? -1 : 1));
    const naive = (q: string) => {
      const ws = q.toLowerCase().split(/\s+/).filter(Boolean);
      return entries.filter((e) => ws.every((w) => w.startsWith('keywords:')
        ? w.slice(9).split(',').some((k) => (e.keywords ?? []).includes(k))
        : `${e.name}\n${e.description ?? ''}\n${(e.keywords ?? []).join('\n')}`.toLowerCase().includes(w))).map((e) => e.name).sort();
    };
    for (const q of ['pad', 'left-pad', 'tools', 'widget react', 'ui keywords:parse', 'keywords:pad', '-12', 'nothing-like-this', 'ls\nparse', '7 left']) {
      const got = matchEntries(entries, q).map((e) => e.name).sort();
      expect(got, q).toEqual(naive(q));
    }
    expect(matchEntries(entries, 'pad').length).toBeGreaterThan(0);
    // the last characters of one entry and the first of the next never make a hit
    const last = entries[0]!.keywords?.at(-1) ?? entries[0]!.description?.slice(-2) ?? entries[0]!.name.slice(-2);
    expect(matchEntries(entries, `${last}${entries[1]!.name.slice(0, 3)}`).map((e) => e.name)).toEqual(naive(`${last}${entries[1]!.name.slice(0, 3)}`));
  });
});
