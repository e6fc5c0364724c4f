import type { IndexEntry } from './index-entry.ts';
import { textIndexOf, type Hits, type ReadFilter } from './index-text.ts';

/** One row of the package list (`GET /-/fw/packages`). */
export interface PackageSummary {
  name: string;
  version: string;
  description?: string;
  versions: number;
  modified: string;
  keywords?: string[];
  deprecated?: string;
  license?: string;
  publisher?: string;
  /** Set for an uplink's cached copy: the uplink's name. */
  uplink?: string;
}

// One row object per (immutable) entry: the list JSON and the web list's row markup are then kept per row.
const summaries = new WeakMap<IndexEntry, PackageSummary>();

/**
 * The list row of an index entry (one object per entry, shared: not to be changed).
 * @example
 * summaryOf(entry).version; // the latest tag
 */
export function summaryOf(e: IndexEntry): PackageSummary {
  let row = summaries.get(e);
  if (!row) summaries.set(e, (row = newSummary(e)));
  return row;
}

function newSummary(e: IndexEntry): PackageSummary {
  const out: PackageSummary = { name: e.name, version: e.version, versions: e.versions, modified: e.modified };
  if (e.description !== undefined) out.description = e.description;
  if (e.keywords) out.keywords = e.keywords;
  if (e.deprecated) out.deprecated = e.deprecated;
  if (e.license) out.license = e.license;
  if (e.publisher) out.publisher = e.publisher;
  if (e.uplink) out.uplink = e.uplink;
  return out;
}

/**
 * The entries matching a query, exact name matches first, then in the given (name) order. Every word
 * of `text` must occur in the name, description or keywords; `keywords:a,b` needs one of those
 * keywords. Looked up in the list's trigram index (`TextIndex`, built once per list).
 * @example
 * matchEntries(view.entries, 'react keywords:ui').map((e) => e.name);
 */
export function matchEntries(entries: readonly IndexEntry[], text: string): IndexEntry[] {
  const hits = textIndexOf(entries).query(text);
  return hits.slice(0, hits.total);
}

/**
 * The hits of a query over an entry list, without building the whole list: `total` and one page.
 * `remember`: queries whose hits the list's index keeps (`index.searchQueries`). `filter`: what the
 * caller may read of the list (one index per list, whatever the callers).
 * @example
 * const hits = queryEntries(readable.view.entries, 'widget', 64, readable.filter ?? undefined);
 * hits.slice(40, 20); // the third page of 20
 */
export function queryEntries(entries: readonly IndexEntry[], text: string, remember = 0, filter?: ReadFilter): Hits {
  return textIndexOf(entries, remember).query(text, filter);
}

/**
 * npm's `/-/v1/search` answer over index entries: the view's, with `filter` for a caller who may not
 * read all of them (see `queryEntries`).
 * @example
 * searchIndex(view.entries, 'react keywords:ui', 20, 0, new Date()).objects[0].package.name;
 */
export function searchIndex(entries: readonly IndexEntry[], text: string, size: number, from: number, now: Date, remember = 0, filter?: ReadFilter) {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = queryEntries(entries, text, remember, filter);
  const objects = hits.slice(from, size).map((e) => {
    const pkg: Record<string, unknown> = {
      name: e.name, version: e.version, description: e.description ?? '', keywords: e.keywords ?? [],
      date: e.date ?? e.modified, links: {},
      maintainers: (e.maintainers ?? []).map((username) => ({ username })),
    };
    if (e.publisher) pkg.publisher = { username: e.publisher };
    const score = words.includes(e.name.toLowerCase()) ? 1 : 0.5;
    return {
      package: pkg, score: { final: score, detail: { quality: score, popularity: score, maintenance: score } },
      searchScore: score, downloads: { monthly: 0, weekly: 0 }, flags: e.deprecated ? { deprecated: e.deprecated } : {},
    };
  });
  return { objects, total: hits.total, time: now.toUTCString() };
}
