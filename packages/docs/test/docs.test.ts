import { describe, expect, it } from 'vitest';
import { extractSymbols, fetchPackageDocs, mergeSearch, searchLocal, type PackageDocs } from '@factorywager/docs';

describe('extractSymbols (TypeScript compiler API)', () => {
  it('follows re-exports, export *, renames and defaults; names kinds; keeps signatures and docs', async () => {
    const files = new Map([
      ['index.d.ts', '/** Pads. */\nexport declare function pad(s: string, n?: number): string;\nexport * from "./lib/more.js";\nexport { Thing as Renamed } from "./lib/more.js";\nexport default class Main {}\nexport declare const VERSION: string;\ndeclare const hidden: number;\n// export declare function commented(): void;\nexport declare enum Color { Red }'],
      ['lib/more.d.ts', 'export interface Thing { a: number }\nexport type Alias = string | number;\nexport declare class Widget { constructor(x: number) }'],
    ]);
    const symbols = await extractSymbols(files, 'index.d.ts');
    expect(symbols.map((s) => `${s.kind} ${s.name}`)).toEqual([
      'type Alias', 'enum Color', 'class default', 'function pad', 'interface Renamed', 'interface Thing', 'variable VERSION', 'class Widget',
    ]);
    expect(symbols.find((s) => s.name === 'pad')).toEqual({ name: 'pad', kind: 'function', signature: '(s: string, n?: number): string', doc: 'Pads.' });
    expect(symbols.find((s) => s.name === 'Alias')?.signature).toBe('string | number');
  });
  it('a missing entry file gives no symbols', async () => {
    expect(await extractSymbols(new Map(), 'index.d.ts')).toEqual([]);
  });
});

const doc = (name: string, extra: Partial<PackageDocs> = {}): PackageDocs => ({
  name, version: '1.0.0', versions: ['1.0.0'], distTags: { latest: '1.0.0' }, readme: '', symbols: [], registry: 'http://r', fetchedAt: new Date(0).toISOString(), ...extra,
});

describe('search', () => {
  const docs = [
    doc('left-pad', { description: 'pad strings', symbols: [{ name: 'padStart', kind: 'function' }] }),
    doc('@acme/ui', { description: 'widgets', readme: 'mentions pad once' }),
  ];
  it('ranks a name match over a README mention and finds symbols by prefix', () => {
    const hits = searchLocal(docs, 'pad');
    expect(hits[0]).toMatchObject({ name: 'left-pad', kind: 'package', score: 1 });
    expect(hits.findIndex((h) => h.name === '@acme/ui')).toBeGreaterThan(0);
    expect(searchLocal(docs, 'padSt')[0]).toMatchObject({ kind: 'symbol', symbol: 'padStart', symbolKind: 'function' });
  });
  it('merges the registry: both sources boost, registry-only packages join at half score', () => {
    const merged = mergeSearch(searchLocal(docs, 'pad'), { objects: [
      { package: { name: 'left-pad', version: '1.0.0' }, searchScore: 1 },
      { package: { name: 'pad-remote', version: '0.1.0', description: 'remote' }, searchScore: 0.5 },
    ] });
    expect(merged[0]).toMatchObject({ name: 'left-pad', source: 'both', score: 1.25 });
    expect(merged.find((h) => h.name === 'pad-remote')).toMatchObject({ source: 'registry', score: 0.25 });
  });
});

describe('fetchPackageDocs', () => {
  it('refuses a tarball that does not match its integrity', async () => {
    const fake = async (url: string) => String(url).endsWith('.tgz')
      ? new Response(new Uint8Array([1, 2, 3]))
      : Response.json({ name: 'x', 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name: 'x', version: '1.0.0', dist: { tarball: 'http://r/x/-/x-1.0.0.tgz', integrity: 'sha512-AAAA' } } } });
    await expect(fetchPackageDocs({ registry: 'http://r', fetch: fake }, 'x')).rejects.toMatchObject({ code: 'INTEGRITY' });
    await expect(fetchPackageDocs({ registry: 'http://r', fetch: fake }, 'x@2')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(fetchPackageDocs({ registry: 'http://r', fetch: fake }, 'git+https://x/y.git')).rejects.toMatchObject({ code: 'INVALID_SPEC' });
  });
  it('sends the token to the registry only, not to another tarball host', async () => {
    const seen: Array<[string, string | null]> = [];
    const fake = async (url: string, init?: RequestInit) => {
      seen.push([String(url), new Headers(init?.headers).get('authorization')]);
      return String(url).endsWith('.tgz') ? new Response('x', { status: 404 }) : Response.json({ name: 'x', 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name: 'x', version: '1.0.0', dist: { tarball: 'http://cdn.elsewhere/x-1.0.0.tgz' } } } });
    };
    await expect(fetchPackageDocs({ registry: 'http://r', token: 'secret', fetch: fake }, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(seen).toEqual([['http://r/x', 'Bearer secret'], ['http://cdn.elsewhere/x-1.0.0.tgz', null]]);
  });
});
