import { appendLog, keys, type Store } from '@factorywager/r2-store';

/** What happened to a package. */
export type HistoryEventType = 'publish' | 'tag' | 'untag' | 'deprecate' | 'unpublish' | 'rollback' | 'owner';

/**
 * Every {@link HistoryEventType}, for filters.
 * @example
 * HISTORY_EVENT_TYPES.includes('rollback'); // true
 */
export const HISTORY_EVENT_TYPES: readonly HistoryEventType[] = ['publish', 'tag', 'untag', 'deprecate', 'unpublish', 'rollback'];

/** One event of a package's history. */
export interface HistoryEvent {
  type: HistoryEventType;
  actor: string;
  time: string;
  version?: string;
  tag?: string;
  /** A rollback: where the tag pointed before (null when it did not exist). */
  from?: string | null;
  /** A rollback: where the tag points now. */
  to?: string;
  /** A rollback: why, as the actor gave it (at most 500 characters, no control characters). */
  reason?: string;
  before: unknown;
  after: unknown;
}

/**
 * A package's history, oldest event first. Also the shape of each stored batch under
 * `versions/{name}/history/` and of the `versions/{name}/history.json` of older stores.
 */
export interface PackageHistory {
  name: string;
  events: HistoryEvent[];
}

/** Options of {@link readHistory}. */
export interface ReadHistoryOptions {
  /** Only the newest `limit` events (after the type filter). */
  limit?: number;
  /** Only events of this type (or these types). */
  type?: HistoryEventType | HistoryEventType[];
}

const log = (store: Store, name: string) => appendLog<PackageHistory>(store, keys.versionHistoryPrefix(name));

/**
 * Appends events to a package's history as one new object (`versions/{name}/history/{id}.json`),
 * never rewriting a shared one, so replicas never contend for a key (R2 takes about one write per
 * second per key) and no event is lost or written twice.
 * @example
 * await appendHistory(store, 'pkg', [{ type: 'tag', actor: 'ana', time, tag: 'beta', before: null, after: '1.1.0' }]);
 */
export async function appendHistory(store: Store, name: string, events: HistoryEvent[]): Promise<void> {
  if (events.length === 0) return;
  await log(store, name).append({ name, events });
}

/**
 * A package's history, oldest first: the `history.json` of an older store (if any), then every
 * appended batch in append order. With `limit`, only the newest events are read (from the end).
 * Resolves null when the package has no history at all.
 * @example
 * const last = await readHistory(store, 'pkg', { limit: 10, type: ['publish', 'rollback'] });
 * last?.events.at(-1)?.type; // 'rollback'
 */
export async function readHistory(store: Store, name: string, options: ReadHistoryOptions = {}): Promise<PackageHistory | null> {
  const types = options.type === undefined ? undefined : new Set([options.type].flat());
  const limit = options.limit !== undefined && options.limit >= 0 ? Math.floor(options.limit) : Infinity;
  const wanted = (e: HistoryEvent) => !types || types.has(e.type);
  const newestFirst: HistoryEvent[] = [];
  let found = false;
  for await (const { value } of log(store, name).entries({ reverse: true })) {
    found = true;
    const events = Array.isArray(value.events) ? value.events : [];
    for (let i = events.length - 1; i >= 0 && newestFirst.length < limit; i--) if (wanted(events[i]!)) newestFirst.push(events[i]!);
    if (newestFirst.length >= limit) break;
  }
  if (newestFirst.length < limit) {
    const legacy = await store.getJson<PackageHistory>(keys.versionHistory(name));
    if (legacy) {
      found = true;
      const events = Array.isArray(legacy.events) ? legacy.events : [];
      for (let i = events.length - 1; i >= 0 && newestFirst.length < limit; i--) if (wanted(events[i]!)) newestFirst.push(events[i]!);
    }
  }
  return found ? { name, events: newestFirst.reverse() } : null;
}

/** Per-version record written on publish at `versions/{name}/{version}.json`. */
export interface VersionRecord {
  name: string;
  version: string;
  publisher: string;
  time: string;
  integrity: string;
  shasum: string;
  size: number;
  /** The README published with this version (the packument keeps only the latest one). */
  readme?: string;
  readmeFilename?: string;
}
