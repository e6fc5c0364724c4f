import type { IndexEntry } from './index-entry.ts';

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

/**
 * The list row of an index entry.
 * @example
 * summaryOf(entry).version; // the latest tag
 */
export function summaryOf(e: IndexEntry): PackageSummary {
  const out: PackageSummary = { name: e.name, version: e.version, versions: e.versions, modified: e.modified };
  if (e.description !== undefined) out.description = e.description;
  if (e.keywords) out.keywords = e.keywords;
  if (e.deprecated) out.deprecated = e.deprecated;
  if (e.license) out.license = e.license;
  if (e.publisher) out.publisher = e.publisher;
  if (e.uplink) out.uplink = e.uplink;
  return out;
}

// Lower-cased text per entry, remembered per (immutable) entry object: a search over 10,000
// entries is then one substring test per word and entry, with no allocation.
const haystacks = new WeakMap<IndexEntry, { name: string; text: string; keywords: string[] }>();
function hay(e: IndexEntry) {
  let h = haystacks.get(e);
  if (!h) {
    const keywords = (e.keywords ?? []).map((k) => k.toLowerCase());
    h = { name: e.name.toLowerCase(), text: `${e.name}\n${e.description ?? ''}\n${keywords.join('\n')}`.toLowerCase(), keywords };
    haystacks.set(e, h);
  }
  return h;
}

// All haystacks of one entry list in one string (entries apart by a NUL), remembered per (immutable)
// list: the first word is found with indexOf over it, which jumps from hit to hit instead of testing
// 10,000 strings; the other words are tested on those hits only.
const joined = new WeakMap<readonly IndexEntry[], { text: string; starts: Int32Array }>();
function joinedOf(entries: readonly IndexEntry[]) {
  let j = joined.get(entries);
  if (!j) {
    const starts = new Int32Array(entries.length);
    let at = 0;
    const parts = entries.map((e, i) => {
      starts[i] = at;
      const t = hay(e).text;
      at += t.length + 1;
      return t;
    });
    j = { text: parts.join('\0'), starts };
    joined.set(entries, j);
  }
  return j;
}

/** The entries whose haystack contains `word` (no NUL in it), in list order. */
function containing(entries: readonly IndexEntry[], word: string): IndexEntry[] {
  const { text, starts } = joinedOf(entries);
  const out: IndexEntry[] = [];
  for (let at = text.indexOf(word); at !== -1;) {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    out.push(entries[lo]!);
    const next = lo + 1 < starts.length ? starts[lo + 1]! : text.length;
    at = text.indexOf(word, next);
  }
  return out;
}

/**
 * The entries matching a query, exact name matches first, then in the given (name) order. Every word
 * of `text` must occur in the name, description or keywords; `keywords:a,b` needs one of those
 * keywords. Substring semantics (`pad` finds `left-pad`) need a scan, which over the in-memory index
 * costs well under a millisecond per 10,000 packages, so no search library is used.
 * @example
 * matchEntries(view.entries, 'react keywords:ui').map((e) => e.name);
 */
export function matchEntries(entries: readonly IndexEntry[], text: string): IndexEntry[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...entries];
  const first = words.find((w) => !w.startsWith('keywords:') && !w.includes('\0'));
  const hits = (first ? containing(entries, first) : entries).filter((e) => {
    const h = hay(e);
    return words.every((w) => (w.startsWith('keywords:') ? w.slice(9).split(',').some((k) => h.keywords.includes(k)) : h.text.includes(w)));
  });
  const exact = hits.filter((e) => words.includes(hay(e).name));
  return exact.length ? [...exact, ...hits.filter((e) => !words.includes(hay(e).name))] : hits;
}

/**
 * npm's `/-/v1/search` answer over index entries (already filtered to what the caller may read).
 * @example
 * searchIndex(view.entries, 'react keywords:ui', 20, 0, new Date()).objects[0].package.name;
 */
export function searchIndex(entries: readonly IndexEntry[], text: string, size: number, from: number, now: Date) {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = matchEntries(entries, text);
  const objects = hits.slice(from, from + size).map((e) => {
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
  return { objects, total: hits.length, time: now.toUTCString() };
}
