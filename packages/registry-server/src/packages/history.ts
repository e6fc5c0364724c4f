import { keys, type Store } from '@factorywager/r2-store';

/** What happened to a package. */
export type HistoryEventType = 'publish' | 'tag' | 'untag' | 'deprecate' | 'unpublish' | 'rollback';

/** One entry of `versions/{name}/history.json`. */
export interface HistoryEvent {
  type: HistoryEventType;
  actor: string;
  time: string;
  version?: string;
  tag?: string;
  before: unknown;
  after: unknown;
}

/** The append-only history document. */
export interface PackageHistory {
  name: string;
  events: HistoryEvent[];
}

/**
 * Appends events to a package's history through check-and-set, so concurrent writers lose nothing.
 * @example
 * await appendHistory(store, 'pkg', [{ type: 'tag', actor: 'ana', time, tag: 'beta', before: null, after: '1.1.0' }]);
 */
export async function appendHistory(store: Store, name: string, events: HistoryEvent[]): Promise<void> {
  if (events.length === 0) return;
  await store.updateJson<PackageHistory>(keys.versionHistory(name), (current) => ({
    name,
    events: [...(current?.events ?? []), ...events],
  }));
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
}
