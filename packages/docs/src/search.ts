import MiniSearch from 'minisearch';
import { request, type RegistryAccess } from './fetch-docs.ts';
import type { PackageDocs, SymbolKind } from './types.ts';

/** One result of {@link searchDocs}: a package, or a symbol of a package. */
export interface SearchHit {
  kind: 'package' | 'symbol';
  /** The package. */
  name: string;
  symbol?: string;
  symbolKind?: SymbolKind;
  version?: string;
  description?: string;
  /** 0..~1.25, higher is better; comparable across both sources after the merge. */
  score: number;
  /** `local` (the docs cache), `registry` (its /-/v1/search only) or `both`. */
  source: 'local' | 'registry' | 'both';
}

/** What the registry's `/-/v1/search` answers (the parts used). */
export interface RegistrySearchResult {
  objects: Array<{ package: { name: string; version: string; description?: string }; searchScore?: number; score?: { final?: number } }>;
}

interface IndexedDoc { id: number; kind: 'package' | 'symbol'; pkg: string; name: string; symbol?: string; symbolKind?: SymbolKind; version: string; description?: string; keywords?: string; readme?: string; doc?: string }

const README_CHARS = 20_000;

/**
 * Ranked full-text search over cached docs with MiniSearch: one document per package (name,
 * description, keywords, README) and one per exported symbol (name, kind, doc); prefix and fuzzy
 * matching, names weighted most. Scores are scaled so the best hit is 1.
 * @example
 * searchLocal(await cache.list(), 'pad', 10)[0]; // { kind: 'function'... }
 */
export function searchLocal(docs: PackageDocs[], query: string, limit = 20): SearchHit[] {
  const index = new MiniSearch<IndexedDoc>({
    fields: ['name', 'symbol', 'description', 'keywords', 'readme', 'doc'],
    storeFields: ['kind', 'pkg', 'symbol', 'symbolKind', 'version', 'description'],
    searchOptions: { prefix: true, fuzzy: 0.2, boost: { name: 4, symbol: 4, keywords: 2, description: 1.5, doc: 1 } },
  });
  let id = 0;
  const all: IndexedDoc[] = [];
  for (const d of docs) {
    all.push({
      id: id++, kind: 'package', pkg: d.name, name: d.name.replace(/^@/, '').replace('/', ' '), version: d.version,
      ...(d.description ? { description: d.description } : {}), ...(d.keywords ? { keywords: d.keywords.join(' ') } : {}),
      readme: d.readme.slice(0, README_CHARS),
    });
    for (const s of d.symbols) {
      all.push({ id: id++, kind: 'symbol', pkg: d.name, name: '', symbol: s.name, symbolKind: s.kind, version: d.version, ...(s.doc ? { doc: s.doc } : {}) });
    }
  }
  index.addAll(all);
  const results = index.search(query).slice(0, limit);
  const top = results[0]?.score ?? 1;
  return results.map((r) => {
    const hit: SearchHit = { kind: r.kind as 'package' | 'symbol', name: r.pkg as string, version: r.version as string, score: r.score / top, source: 'local' };
    if (r.kind === 'symbol') Object.assign(hit, { symbol: r.symbol, symbolKind: r.symbolKind });
    if (r.description) hit.description = r.description as string;
    return hit;
  });
}

/**
 * Merges local hits with the registry's search: a package found by both gains 0.25; a package only
 * the registry knows (not fetched yet) enters at half its scaled registry score.
 * @example
 * mergeSearch(searchLocal(docs, 'pad'), await (await fetch(`${registry}/-/v1/search?text=pad`)).json());
 */
export function mergeSearch(local: SearchHit[], remote: RegistrySearchResult | null, limit = 20): SearchHit[] {
  const hits = local.map((h) => ({ ...h }));
  const objects = remote?.objects ?? [];
  const remoteScore = (o: RegistrySearchResult['objects'][number]) => o.searchScore ?? o.score?.final ?? 0.5;
  const top = Math.max(...objects.map(remoteScore), 1e-9);
  for (const o of objects) {
    const same = hits.filter((h) => h.kind === 'package' && h.name === o.package.name);
    if (same.length) {
      for (const h of same) Object.assign(h, { source: 'both', score: h.score + 0.25 });
    } else if (!hits.some((h) => h.name === o.package.name && h.source !== 'registry')) {
      hits.push({
        kind: 'package', name: o.package.name, version: o.package.version, score: 0.5 * (remoteScore(o) / top), source: 'registry',
        ...(o.package.description ? { description: o.package.description } : {}),
      });
    }
  }
  return hits.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name)).slice(0, limit);
}

/**
 * Searches the cached docs and the registry's `/-/v1/search` and merges them. When the registry
 * cannot answer, the local hits come back with `remoteError` saying why.
 * @example
 * const { hits } = await searchDocs(await cache.list(), 'pad', { registry: 'http://127.0.0.1:4873' });
 */
export async function searchDocs(docs: PackageDocs[], query: string, access: RegistryAccess | null, limit = 20): Promise<{ hits: SearchHit[]; remoteError?: string }> {
  const local = searchLocal(docs, query, limit * 2);
  if (!access) return { hits: local.slice(0, limit) };
  try {
    const remote = (await request(access, `/-/v1/search?${new URLSearchParams({ text: query, size: String(Math.min(limit, 250)) })}`)) as RegistrySearchResult;
    return { hits: mergeSearch(local, remote, limit) };
  } catch (err) {
    return { hits: local.slice(0, limit), remoteError: (err as Error).message };
  }
}
