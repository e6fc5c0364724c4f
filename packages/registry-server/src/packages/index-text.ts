import type { IndexEntry } from './index-entry.ts';

/** What a search looks at in one entry, lower-cased: one per entry object, shared by every index. */
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

/**
 * Work done by the search indexes of this process: entries cut into trigrams, indexes built from scratch,
 * indexes derived from the one before (a change of a few entries). Counters only, for tests and tuning.
 * @example
 * const before = textIndexWork.tokenized;
 * textIndexOf(view.entries).query('x');
 * textIndexWork.tokenized - before; // entries not seen by an index before
 */
export const textIndexWork = { tokenized: 0, built: 0, derived: 0 };

const EMPTY = new Int32Array(0);

// The characters of JavaScript's `\s`: a query is split on them, so no query word holds one, and a
// trigram holding one is never looked up (and not indexed).
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
/** Three UTF-16 code units as one number (below 2^48, exact in a double). */
const gram = (s: string, at: number) => s.charCodeAt(at) * 4294967296 + s.charCodeAt(at + 1) * 65536 + s.charCodeAt(at + 2);

// Index entries are immutable and an unchanged one keeps its object from view to view, so each is
// lower-cased once, whatever the number of views and lists it is in (its trigrams are not kept: they
// are cut again only for a build from scratch).
const hays = new WeakMap<IndexEntry, Hay>();

function hayOf(e: IndexEntry): Hay {
  let hay = hays.get(e);
  if (!hay) {
    const keywords = (e.keywords ?? []).map((k) => k.toLowerCase());
    hays.set(e, (hay = { name: e.name.toLowerCase(), text: `${e.name}\n${e.description ?? ''}\n${keywords.join('\n')}`.toLowerCase(), keywords }));
  }
  return hay;
}

function mergeUnion(lists: Int32Array[]): Int32Array {
  if (lists.length === 1) return lists[0]!;
  const seen = new Set<number>();
  for (const l of lists) for (const o of l) seen.add(o);
  return Int32Array.from(seen).sort();
}

/** A query word: a substring to find, or `keywords:a,b` (its distinct terms). */
type Word = { text: string } | { keywords: Set<string> };

function wordsOf(text: string): { key: string; words: Word[]; plain: string[] } {
  const plain = [...new Set(text.toLowerCase().split(/\s+/).filter(Boolean))];
  const words = plain.map((w): Word => (w.startsWith('keywords:') ? { keywords: new Set(w.slice(9).split(',')) } : { text: w }));
  return { key: text.toLowerCase().split(/\s+/).filter(Boolean).join(' '), words, plain };
}

/** Which old positions stay (and where they go) and which new positions are new, or null when many changed. */
function diffOf(old: readonly IndexEntry[], now: readonly IndexEntry[]): { moved: Int32Array; added: number[] } | null {
  const moved = new Int32Array(old.length).fill(-1);
  const added: number[] = [];
  const limit = (now.length >> 3) + 64;
  // both lists are in name order: entries left out of `now` are passed over; the map stays ascending
  for (let i = 0, j = 0; i < now.length; i++) {
    const e = now[i]!;
    while (j < old.length && old[j] !== e && old[j]!.name < e.name) j++;
    if (j < old.length && old[j] === e) moved[j++] = i;
    else if (added.push(i) > limit) return null;
  }
  return { moved, added };
}

/** `lists` (ascending positions of the old list) moved to the new list, with `extra` (ascending) added. */
function movedLists<K>(lists: Map<K, Int32Array>, moved: Int32Array, extra: Map<K, number[]>): Map<K, Int32Array> {
  const out = new Map<K, Int32Array>();
  for (const [k, list] of lists) {
    const add = extra.get(k);
    const next = new Int32Array(list.length + (add?.length ?? 0));
    let n = 0;
    let a = 0;
    // indexed loops: `for of` over a typed array is several times slower on JavaScriptCore
    for (let x = 0; x < list.length; x++) {
      const p = moved[list[x]!]!;
      if (p < 0) continue;
      if (add) while (a < add.length && add[a]! < p) next[n++] = add[a++]!;
      next[n++] = p;
    }
    if (add) while (a < add.length) next[n++] = add[a++]!;
    if (add) extra.delete(k);
    if (n) out.set(k, n === next.length ? next : next.slice(0, n));
  }
  for (const [k, add] of extra) out.set(k, Int32Array.from(add));
  return out;
}

/**
 * What one caller may read of an index view: a mask over the view's entries (1: readable), the
 * readable entries in order, and the hits of the caller's last queries (up to the index's `remember`).
 * Callers with the same rights share one (see `_readable.ts`); the view's one `TextIndex` finds
 * the hits and the filter keeps the caller's, so a caller costs a byte per entry, its list and its kept
 * answers, not an index of its own.
 * @example
 * const filter = new ReadFilter(mask, view.entries.filter((_, i) => mask[i]));
 * textIndexOf(view.entries, 64).query('widget', filter).total;
 */
export class ReadFilter {
  /** Kept hits per query (positions in the view), least recently asked first. */
  readonly answers = new Map<string, Int32Array>();
  constructor(readonly mask: Uint8Array, readonly entries: readonly IndexEntry[]) {}

  /** Bytes this filter keeps besides its entry list: the mask and the kept answers. */
  keptBytes(): number {
    let n = this.mask.byteLength;
    for (const a of this.answers.values()) n += a.byteLength;
    return n;
  }
}

/** The kept answer of `key` in `answers` (made most recent), or `make()`'s, kept if `remember` allows. */
function remembered(answers: Map<string, Int32Array>, key: string, remember: number, make: () => Int32Array): Int32Array {
  let order = answers.get(key);
  if (order) {
    answers.delete(key);
    answers.set(key, order);
    return order;
  }
  order = make();
  if (remember > 0) {
    if (answers.size >= remember) answers.delete(answers.keys().next().value!);
    answers.set(key, order);
  }
  return order;
}

/**
 * A trigram index over a list of entries (one per index view, built on its first query), so a query
 * costs what its candidates cost instead of a test of every entry. Search keeps substring semantics
 * (`pad` finds `left-pad`, `-12` finds `widget-12`): every word must occur in the name, description or
 * keywords, `keywords:a,b` needs one of those keywords exactly. Hand-written because the search
 * libraries index words (MiniSearch, Lunr: prefix and fuzzy matches of whole tokens, so `-12` or `eft`
 * would find nothing), and indexing every suffix of every token to get substrings from them costs
 * several times the memory of these trigram lists. A word of three characters or more is looked up by
 * the rarest of its trigrams and the candidates tested with `includes`; shorter words are tested on
 * every entry (what they match is most of the registry anyway). The hits of the last `remember`
 * distinct queries are kept: the list never changes, so they never go stale, and a repeated query costs
 * its page alone. Given the index of the list before (`from`), an index whose list differs in a few
 * entries (a publish, a tag moved) is derived from it: its posting lists moved to the new positions and
 * only the changed entries' trigrams added, instead of every entry indexed again.
 * @example
 * const index = new TextIndex(view.entries);
 * index.query('react keywords:ui').slice(0, 20).map((e) => e.name);
 */
export class TextIndex {
  private readonly hays: Hay[];
  private readonly grams: Map<number, Int32Array>;
  private readonly keywords: Map<string, Int32Array>;
  /** The hits of the last queries (least recently asked first), up to `remember` of them. */
  private readonly answers = new Map<string, Int32Array>();

  /** `remember`: how many queries' hits to keep (`index.searchQueries`); 0 keeps none. `from`: the index of the list before. */
  constructor(readonly entries: readonly IndexEntry[], private readonly remember = 0, from: TextIndex | null = null) {
    this.hays = entries.map(hayOf);
    const diff = from ? diffOf(from.entries, entries) : null;
    const grams = new Map<number, number[]>();
    const keywords = new Map<string, number[]>();
    const push = <K>(m: Map<K, number[]>, k: K, i: number) => {
      const l = m.get(k);
      if (!l) m.set(k, [i]);
      else if (l[l.length - 1] !== i) l.push(i);
    };
    const add = (i: number) => {
      textIndexWork.tokenized++;
      const h = this.hays[i]!;
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
    };
    if (from && diff) {
      textIndexWork.derived++;
      for (const i of diff.added) add(i);
      this.grams = movedLists(from.grams, diff.moved, grams);
      this.keywords = movedLists(from.keywords, diff.moved, keywords);
    } else {
      textIndexWork.built++;
      for (let i = 0; i < entries.length; i++) add(i);
      this.grams = new Map([...grams].map(([k, l]) => [k, Int32Array.from(l)]));
      this.keywords = new Map([...keywords].map(([k, l]) => [k, Int32Array.from(l)]));
    }
  }

  /**
   * The entries matching `text`: exact name matches first, then the others in list order. With a
   * `filter` (over this index's list), only those it marks readable, its entries when `text` is empty.
   */
  query(text: string, filter?: ReadFilter): Hits {
    const { key, words, plain } = wordsOf(text);
    const entries = this.entries;
    if (words.length === 0) {
      const list = filter ? filter.entries : entries;
      return { total: list.length, slice: (from, size) => list.slice(from, from + size) };
    }
    let hits = remembered(this.answers, key, this.remember, () => this.match(words, new Set(plain)));
    if (filter) {
      const all = hits;
      const mask = filter.mask;
      hits = remembered(filter.answers, key, this.remember, () => all.filter((i) => mask[i] === 1));
    }
    const order = hits;
    return { total: order.length, slice: (from, size) => Array.from(order.subarray(from, from + size), (i) => entries[i]!) };
  }

  private match(words: Word[], names: Set<string>): Int32Array {
    // the smallest candidate list any word allows (null: every entry)
    let candidates: Int32Array | null = null;
    for (const w of words) {
      const list = this.candidatesOf(w);
      if (list && (!candidates || list.length < candidates.length)) candidates = list;
      if (candidates?.length === 0) break;
    }
    const hays = this.hays;
    const exact: number[] = [];
    const others: number[] = [];
    const test = (i: number) => {
      const h = hays[i]!;
      for (const w of words) {
        if ('text' in w ? !h.text.includes(w.text) : !h.keywords.some((k) => w.keywords.has(k))) return;
      }
      // an exact name match is a hit whose name is one of the words
      (names.has(h.name) ? exact : others).push(i);
    };
    if (candidates) for (let x = 0; x < candidates.length; x++) test(candidates[x]!);
    else for (let i = 0; i < hays.length; i++) test(i);
    return Int32Array.from(exact.length ? [...exact, ...others] : others);
  }

  /** The entries a word can match (ascending), or null when it must be tested on every entry. */
  private candidatesOf(w: Word): Int32Array | null {
    if (!('text' in w)) {
      const lists = [...w.keywords].map((k) => this.keywords.get(k)).filter((l): l is Int32Array => l !== undefined);
      return lists.length ? mergeUnion(lists) : EMPTY;
    }
    const t = w.text;
    if (t.length < 3) return null;
    let best: Int32Array | null = null;
    for (let p = 0; p + 3 <= t.length; p++) {
      const list = this.grams.get(gram(t, p));
      if (!list) return EMPTY;
      if (!best || list.length < best.length) best = list;
    }
    return best;
  }
}

const indexes = new WeakMap<readonly IndexEntry[], TextIndex>();
/** The index built last: the next list (the next view's, mostly the same entries) is derived from it. */
let latest: TextIndex | null = null;

/**
 * The {@link TextIndex} of an entry list, built on its first query and kept while the (immutable) list
 * is: one per index view. A new list is derived from the index built last when most entries are the
 * same objects (see {@link TextIndex}). `remember`: queries whose hits it keeps.
 * @example
 * textIndexOf(view.entries, 64).query('widget').total;
 */
export function textIndexOf(entries: readonly IndexEntry[], remember = 0): TextIndex {
  let index = indexes.get(entries);
  if (!index) {
    indexes.set(entries, (index = new TextIndex(entries, remember, latest)));
    latest = index;
  }
  return index;
}
