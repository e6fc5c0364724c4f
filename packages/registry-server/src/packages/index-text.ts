import type { IndexEntry } from './index-entry.ts';

/** What a search looks at in one entry, lower-cased. */
interface Hay {
  name: string;
  /** Name, description and keywords, one per line. */
  text: string;
  keywords: string[];
}

/** The hits of one query: `total`, and the entries of a page (exact name matches first, then name order). */
export interface Hits {
  readonly total: number;
  slice(from: number, size: number): IndexEntry[];
}

const EMPTY = new Int32Array(0);

// The characters of JavaScript's `\s`: a query is split on them, so no query word holds one, and a
// trigram holding one is never looked up (and not indexed).
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
/** Three UTF-16 code units as one number (below 2^48, exact in a double). */
const gram = (s: string, at: number) => s.charCodeAt(at) * 4294967296 + s.charCodeAt(at + 1) * 65536 + s.charCodeAt(at + 2);

function hayOf(e: IndexEntry): Hay {
  const keywords = (e.keywords ?? []).map((k) => k.toLowerCase());
  return { name: e.name.toLowerCase(), text: `${e.name}\n${e.description ?? ''}\n${keywords.join('\n')}`.toLowerCase(), keywords };
}

function mergeUnion(lists: Int32Array[]): Int32Array {
  if (lists.length === 1) return lists[0]!;
  const seen = new Set<number>();
  for (const l of lists) for (const o of l) seen.add(o);
  return Int32Array.from(seen).sort();
}

/**
 * A trigram index over a list of entries (built once per list: per index view and caller), so a query
 * costs what its candidates cost instead of a test of every entry. Search keeps substring semantics
 * (`pad` finds `left-pad`, `-12` finds `widget-12`): every word must occur in the name, description or
 * keywords, `keywords:a,b` needs one of those keywords exactly. Hand-written because the search
 * libraries index words (MiniSearch, Lunr: prefix and fuzzy matches of whole tokens, so `-12` or `eft`
 * would find nothing), and indexing every suffix of every token to get substrings from them costs
 * several times the memory of these trigram lists. A word of three characters or more is looked up by
 * the rarest of its trigrams and the candidates tested with `includes`; shorter words are tested on
 * every entry (what they match is most of the registry anyway). The hits of the last `remember`
 * distinct queries are kept: the list never changes, so they never go stale, and a repeated query costs
 * its page alone.
 * @example
 * const index = new TextIndex(view.entries);
 * index.query('react keywords:ui').slice(0, 20).map((e) => e.name);
 */
export class TextIndex {
  private readonly hays: Hay[];
  private readonly grams = new Map<number, Int32Array>();
  private readonly keywords = new Map<string, Int32Array>();
  private readonly names = new Map<string, number[]>();
  /** The hits of the last queries (least recently asked first), up to `remember` of them. */
  private readonly answers = new Map<string, Int32Array>();

  /** `remember`: how many queries' hits to keep (`index.searchQueries`); 0 keeps none. */
  constructor(private readonly entries: readonly IndexEntry[], private readonly remember = 0) {
    this.hays = entries.map(hayOf);
    const grams = new Map<number, number[]>();
    const keywords = new Map<string, number[]>();
    const push = <K>(m: Map<K, number[]>, k: K, i: number) => {
      const l = m.get(k);
      if (!l) m.set(k, [i]);
      else if (l[l.length - 1] !== i) l.push(i);
    };
    this.hays.forEach((h, i) => {
      const t = h.text;
      // skip = how many of the next positions start a trigram holding a space
      for (let p = 0, skip = isSpace(t.charCodeAt(1)) ? 2 : isSpace(t.charCodeAt(0)) ? 1 : 0; p + 3 <= t.length; p++) {
        if (isSpace(t.charCodeAt(p + 2))) skip = 3;
        if (skip > 0) {
          skip--;
          continue;
        }
        push(grams, gram(t, p), i);
      }
      for (const k of h.keywords) push(keywords, k, i);
      push(this.names, h.name, i);
    });
    for (const [k, l] of grams) this.grams.set(k, Int32Array.from(l));
    for (const [k, l] of keywords) this.keywords.set(k, Int32Array.from(l));
  }

  /** The entries matching `text`: exact name matches first, then the others in list order. */
  query(text: string): Hits {
    const words = text.toLowerCase().split(/\s+/).filter(Boolean);
    const entries = this.entries;
    if (words.length === 0) return { total: entries.length, slice: (from, size) => entries.slice(from, from + size) };
    const key = words.join(' ');
    let order = this.answers.get(key);
    if (order) {
      this.answers.delete(key);
      this.answers.set(key, order);
    } else {
      order = this.match(words);
      if (this.remember > 0) {
        if (this.answers.size >= this.remember) this.answers.delete(this.answers.keys().next().value!);
        this.answers.set(key, order);
      }
    }
    const hits = order;
    return { total: hits.length, slice: (from, size) => Array.from(hits.subarray(from, from + size), (i) => entries[i]!) };
  }

  private match(words: string[]): Int32Array {
    const entries = this.entries;
    // the smallest candidate list any word allows (null: every entry)
    let candidates: Int32Array | null = null;
    for (const w of words) {
      const list = this.candidatesOf(w);
      if (list && (!candidates || list.length < candidates.length)) candidates = list;
      if (candidates?.length === 0) break;
    }
    const hays = this.hays;
    const matches = (i: number) => {
      const h = hays[i]!;
      for (const w of words) {
        if (w.startsWith('keywords:') ? !w.slice(9).split(',').some((k) => h.keywords.includes(k)) : !h.text.includes(w)) return false;
      }
      return true;
    };
    const exact = new Set<number>();
    for (const w of words) for (const i of this.names.get(w) ?? []) if (matches(i)) exact.add(i);
    const hits: number[] = [];
    if (candidates) {
      for (const i of candidates) if (matches(i) && !exact.has(i)) hits.push(i);
    } else {
      for (let i = 0; i < entries.length; i++) if (matches(i) && !exact.has(i)) hits.push(i);
    }
    return Int32Array.from(exact.size ? [...[...exact].sort((a, b) => a - b), ...hits] : hits);
  }

  /** The entries a word can match (ascending), or null when it must be tested on every entry. */
  private candidatesOf(w: string): Int32Array | null {
    if (w.startsWith('keywords:')) {
      const lists = w.slice(9).split(',').map((k) => this.keywords.get(k)).filter((l): l is Int32Array => l !== undefined);
      return lists.length ? mergeUnion(lists) : EMPTY;
    }
    if (w.length < 3) return null;
    let best: Int32Array | null = null;
    for (let p = 0; p + 3 <= w.length; p++) {
      const list = this.grams.get(gram(w, p));
      if (!list) return EMPTY;
      if (!best || list.length < best.length) best = list;
    }
    return best;
  }
}

const indexes = new WeakMap<readonly IndexEntry[], TextIndex>();

/**
 * The {@link TextIndex} of an entry list, built on its first query and kept while the (immutable) list
 * is: per index view and caller. `remember`: queries whose hits it keeps (see {@link TextIndex}).
 * @example
 * textIndexOf(readable.entries, 64).query('widget').total;
 */
export function textIndexOf(entries: readonly IndexEntry[], remember = 0): TextIndex {
  let index = indexes.get(entries);
  if (!index) indexes.set(entries, (index = new TextIndex(entries, remember)));
  return index;
}
