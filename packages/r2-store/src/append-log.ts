import { StoreError, isStoreError } from './errors.ts';
import type { Store } from './types.ts';
import { sleep } from './_util.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Per-module state so ids made by one process within one millisecond still sort in call order.
let lastMs = 0;
let seq = 0;

/**
 * A key-safe id that sorts (as a string) in the order ids were made: 13 digits of milliseconds, a
 * 4-digit sequence within the millisecond, and 8 random hex digits, so ids made at the same moment
 * by two replicas never collide. Across replicas the order is their clocks' order.
 * @example
 * sortableId(); // '1764584000123-0000-9f3a01bc'
 */
export function sortableId(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    seq = 0;
  } else {
    seq++; // same millisecond, or a clock that stepped back: keep increasing
    if (seq > 9999) {
      lastMs++;
      seq = 0;
    }
  }
  const rand = [...crypto.getRandomValues(new Uint8Array(4))].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${String(lastMs).padStart(13, '0')}-${String(seq).padStart(4, '0')}-${rand}`;
}

/** Options of {@link AppendLog.entries}. */
export interface AppendLogReadOptions {
  /** Newest first. Default false (oldest first). */
  reverse?: boolean;
  /** Objects fetched at once. Default 8. */
  concurrency?: number;
}

/**
 * An append-only log of JSON objects under one prefix: each `append` writes one new object (one key
 * per event or per batch, never a rewrite of a shared object), so writers never contend for a key,
 * which matters on R2 (about one write per second per key) and across replicas. Entries read back in
 * key order, which is the order they were appended (see {@link sortableId}).
 * @example
 * const log = appendLog<{ type: string }>(store, 'versions/pkg/history/');
 * await log.append({ type: 'publish' });
 * for await (const { value } of log.entries()) console.log(value.type);
 */
export interface AppendLog<T> {
  readonly prefix: string;
  /** Writes `value` under a new key and resolves to that key. */
  append(value: T): Promise<string>;
  /** Every key of the log, in append order. */
  keys(): Promise<string[]>;
  /** Entries in append order (or newest first); stop iterating to stop reading. */
  entries(options?: AppendLogReadOptions): AsyncGenerator<{ key: string; value: T }>;
}

const APPEND_ATTEMPTS = 20;

/**
 * Opens the append-only log under `prefix` (which must end with `/`).
 * Appends use If-None-Match: * so a key is never overwritten; a store that is briefly unavailable
 * (R2's 429) is retried with back-off on the same key, and an earlier attempt that did land is
 * recognised by its bytes, so a retried append is written exactly once.
 * @example
 * const audit = appendLog<AuditEntry>(store, 'secrets/_audit/2026-12-01/');
 * await audit.append(entry);
 */
export function appendLog<T>(store: Store, prefix: string, options: { id?: () => string } = {}): AppendLog<T> {
  if (!prefix.endsWith('/')) throw new StoreError('INVALID_KEY', `append log prefix must end with "/": ${prefix}`);
  const makeId = options.id ?? (() => sortableId());

  async function append(value: T): Promise<string> {
    const text = JSON.stringify(value);
    if (text === undefined) throw new StoreError('INVALID_JSON', `value for ${prefix} is not JSON-serialisable`);
    const bytes = encoder.encode(text);
    let key = `${prefix}${makeId()}.json`;
    let lastError: unknown;
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(Math.random() * Math.min(2000, 20 * 2 ** attempt));
      try {
        await store.put(key, bytes, { contentType: 'application/json', ifNoneMatch: '*' });
        return key;
      } catch (err) {
        lastError = err;
        if (isStoreError(err, 'PRECONDITION_FAILED')) {
          // an earlier attempt of ours that landed although its answer was lost, or (never seen) a clash
          const there = await store.get(key);
          if (there && decoder.decode(there.body) === text) return key;
          key = `${prefix}${makeId()}.json`;
          continue;
        }
        if (!isStoreError(err, 'UNAVAILABLE')) throw err;
      }
    }
    throw new StoreError('UNAVAILABLE', `append to ${prefix} gave up after ${APPEND_ATTEMPTS} attempts`, { key, cause: lastError });
  }

  async function keys(): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ prefix, ...(cursor ? { cursor } : {}) });
      out.push(...page.keys.filter((k) => k.endsWith('.json') && !k.slice(prefix.length).includes('/')));
      cursor = page.cursor;
    } while (cursor);
    return out.sort();
  }

  async function* entries(read: AppendLogReadOptions = {}): AsyncGenerator<{ key: string; value: T }> {
    const all = await keys();
    if (read.reverse) all.reverse();
    const width = Math.max(1, read.concurrency ?? 8);
    for (let i = 0; i < all.length; i += width) {
      const batch = all.slice(i, i + width);
      const values = await Promise.all(batch.map((k) => store.getJson<T>(k)));
      for (let j = 0; j < batch.length; j++) {
        // an entry deleted between list and get is gone, not an error
        if (values[j] !== null) yield { key: batch[j]!, value: values[j]! };
      }
    }
  }

  return { prefix, append, keys, entries };
}
