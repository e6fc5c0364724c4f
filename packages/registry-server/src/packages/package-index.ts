import { keys, type Store } from '@factorywager/r2-store';
import { listNamesUnder } from './catalog.ts';
import { entryOf, supersedes, type IndexEntry } from './index-entry.ts';
import type { Packument } from './packument.ts';
import { fnv1a32 } from '../_crypto.ts';

/** Bump when the entry shape changes: an index of another schema is rebuilt. */
const SCHEMA = 2;
/** Shards spread concurrent publishes of different packages over several keys (fewer lost races). */
const SHARDS = 16;
const READ_CONCURRENCY = 16;
/** How often a process looks at the index's meta object (to rebuild one that is missing or old). */
const META_CHECK_MS = 60_000;

const shardKey = (n: number) => `index/packages/${n.toString(16).padStart(2, '0')}.json`;
const META_KEY = 'index/packages/meta.json';

interface ShardDoc {
  schema: number;
  entries: Record<string, IndexEntry>;
}

interface MetaDoc {
  schema: number;
  shards: number;
  builtAt: string;
}

interface Shard {
  etag: string | null;
  entries: Record<string, IndexEntry>;
  checkedAt: number;
}

/** A consistent view of the index: live packages in name order, built once per change. */
export interface IndexView {
  /** Live packages (local and uplink copies), sorted by name. */
  readonly entries: readonly IndexEntry[];
  get(name: string): IndexEntry | undefined;
  /** Live packages whose latest version depends on `name`, sorted. */
  dependents(name: string): string[];
}

export interface PackageIndexOptions {
  /** Serve the index this long without a `head` of its shards (ms). Default 1000. */
  cacheTtlMs?: number;
  /** Rebuild from the manifests when the last rebuild is older than this (ms). Default one day. */
  rebuildAfterMs?: number;
  /** Queries whose hits each view's search index keeps per caller (`index.searchQueries`). Default 64. */
  searchQueries?: number;
  /** Clock in ms. */
  now?: () => number;
  /** Where failures of background work go (a rebuild, an index update after a manifest write). */
  onError?: (err: unknown) => void;
  /** An uplink's copy as it is served (the release-age guard applied), for a rebuild; default as kept. */
  servedUplinkDoc?: (doc: Packument) => Packument;
  /**
   * Concurrent callers share one running rebuild, and a rebuild due by age runs in the background.
   * Default true. False on Workers, where a request must never await I/O another request started, and
   * work not awaited ends with its request: each caller rebuilds for itself, and a rebuild due by age
   * is done by the one request that finds it due (the others serve the index as it is meanwhile).
   */
  shareInflight?: boolean;
  /**
   * Called before a rebuild, after its listing and at its end: a full garbage collection on Bun
   * (default), nothing elsewhere: a rebuild makes tens of MB of garbage in a few seconds.
   */
  collect?: () => void;
}

/**
 * A full garbage collection where the runtime offers one (Bun), else nothing. A rebuild from the
 * manifests (once per data folder, and per `index.rebuildAfter`) makes tens of MB of garbage in a
 * few seconds — every manifest read and parsed, and on the fs driver the whole tree walked for every
 * page of names — which otherwise piled onto the garbage a server had not collected yet: in a bench
 * run, the first search after publishes into a 3,000-version package took the peak RSS from 141 to
 * 171 MB, and to no more than the 126 MB before it with these collections (each a few ms at the
 * server's ~20 MB of live heap; none on a request's path otherwise).
 */
function fullCollection(): void {
  (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true);
}

/** Derived index key of a name (FNV-1a, 32 bits, modulo the shard count). */
const shardOf = (name: string): number => fnv1a32(name) % SHARDS;

/**
 * The package index at `index/packages/{shard}.json`: one entry per package (local, or cached from an
 * uplink), derived from the manifests and kept up to date with check-and-set (`updateJson`) on every
 * change, so listing and searching read a few small objects instead of every packument. Missing, of
 * another schema, or older than `rebuildAfterMs`, it is rebuilt from the manifests (merged with
 * check-and-set too, so concurrent changes are kept). Reads are cached in memory for `cacheTtlMs` and
 * revalidated with a `head` per shard; changes made through this process are seen at once.
 * @example
 * const index = new PackageIndex(store);
 * await index.record(doc);                  // after the manifest was written
 * (await index.view()).entries.length;      // live packages
 */
export class PackageIndex {
  private readonly shards: Array<Shard | undefined> = new Array(SHARDS);
  private current: IndexView | null = null;
  private metaCheckedAt = -Infinity;
  private building: Promise<void> | null = null;
  private readonly ttl: number;
  private readonly rebuildAfter: number;
  private readonly now: () => number;
  private readonly onError: (err: unknown) => void;
  private readonly servedUplinkDoc: (doc: Packument) => Packument;
  private readonly share: boolean;
  private readonly collect: () => void;
  /** Queries whose hits each view's search index keeps per caller. */
  readonly searchQueries: number;
  /**
   * What a view waits for first: index entries a publish writes after its answer (set by the
   * package service), so that a search right after a publish's answer finds it. Undefined: none.
   */
  waitFor?: () => Promise<void> | undefined;

  constructor(private readonly store: Store, options: PackageIndexOptions = {}) {
    this.share = options.shareInflight ?? true;
    this.collect = options.collect ?? fullCollection;
    this.ttl = options.cacheTtlMs ?? 1000;
    this.searchQueries = options.searchQueries ?? 64;
    this.rebuildAfter = options.rebuildAfterMs ?? 86_400_000;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
    this.servedUplinkDoc = options.servedUplinkDoc ?? ((doc) => doc);
  }

  /** Records a packument just written (a local one, or an uplink's copy with its fetch time). */
  async record(doc: Packument, from: { uplink: string; rev: number } | null = null): Promise<void> {
    const entry = entryOf(doc, from);
    await this.merge(shardOf(entry.name), [entry], () => false);
  }

  /** {@link record} that never throws: a failure goes to `onError` (the next rebuild repairs the entry). */
  async recordQuietly(doc: Packument, from: { uplink: string; rev: number } | null = null): Promise<void> {
    await this.record(doc, from).catch(this.onError);
  }

  /** The current view, after revalidating shards older than the TTL (and a first rebuild if needed). */
  async view(): Promise<IndexView> {
    const pending = this.waitFor?.();
    if (pending) await pending;
    await this.ensureBuilt();
    const now = this.now();
    const stale = [...this.shards.keys()].filter((n) => {
      const s = this.shards[n];
      return !s || now - s.checkedAt >= this.ttl;
    });
    if (stale.length) await Promise.all(stale.map((n) => this.revalidate(n, now)));
    return (this.current ??= buildView(this.shards));
  }

  /** Rebuilds the index from every manifest and uplink copy in the store (single flight). */
  rebuild(): Promise<void> {
    if (!this.share) return this.doRebuild();
    this.building ??= this.doRebuild().finally(() => {
      this.building = null;
    });
    return this.building;
  }

  private async ensureBuilt(): Promise<void> {
    const now = this.now();
    if (now - this.metaCheckedAt < META_CHECK_MS) return;
    const meta = await this.store.getJson<MetaDoc>(META_KEY);
    if (!meta || meta.schema !== SCHEMA || meta.shards !== SHARDS) {
      await this.rebuild();
    } else if (now - Date.parse(meta.builtAt) >= this.rebuildAfter) {
      if (this.share) void this.rebuild().catch(this.onError);
      else {
        this.metaCheckedAt = now;
        await this.rebuild().catch(this.onError);
      }
    }
    this.metaCheckedAt = now;
  }

  private async revalidate(n: number, now: number): Promise<void> {
    const held = this.shards[n];
    const info = await this.store.head(shardKey(n));
    if (held && (info?.etag ?? null) === held.etag) {
      held.checkedAt = now;
      return;
    }
    const fresh = info ? await this.store.getJsonWithEtag<ShardDoc>(shardKey(n)) : null;
    const entries = fresh && fresh.value.schema === SCHEMA ? fresh.value.entries : {};
    this.shards[n] = { etag: fresh?.etag ?? null, entries, checkedAt: now };
    this.current = null;
  }

  /** Check-and-set of one shard: entries that supersede the stored ones go in; `drop` removes others. */
  private async merge(n: number, incoming: IndexEntry[], drop: (e: IndexEntry) => boolean): Promise<void> {
    // The shard held stands in for a read and parse while its etag is the stored one (one `head`).
    const held = this.shards[n];
    const known = held?.etag ? { known: { value: { schema: SCHEMA, entries: held.entries }, etag: held.etag } } : {};
    const result = await this.store.updateJson<ShardDoc>(shardKey(n), (cur) => {
      const entries = cur?.schema === SCHEMA ? { ...cur.entries } : {};
      let changed = cur?.schema !== SCHEMA;
      for (const e of incoming) {
        const old = Object.hasOwn(entries, e.name) ? entries[e.name] : undefined;
        if (supersedes(e, old) && JSON.stringify(old) !== JSON.stringify(e)) {
          entries[e.name] = e;
          changed = true;
        }
      }
      const keep = new Set(incoming.map((e) => e.name));
      for (const e of Object.values(entries)) {
        if (!keep.has(e.name) && drop(e)) {
          delete entries[e.name];
          changed = true;
        }
      }
      return changed ? { schema: SCHEMA, entries } : undefined;
    }, known);
    if (result.written && result.value) {
      this.shards[n] = { etag: result.etag, entries: result.value.entries, checkedAt: this.now() };
      this.current = null;
    }
  }

  private async doRebuild(): Promise<void> {
    const started = new Date(this.now()).toISOString();
    this.collect();
    const local = await listNamesUnder(this.store, keys.packagesPrefix());
    const localSet = new Set(local);
    const cached = (await listNamesUnder(this.store, keys.uplinkCachePrefix())).filter((n) => !localSet.has(n));
    this.collect();
    const built: IndexEntry[][] = Array.from({ length: SHARDS }, () => []);
    await pool([...local.map((n) => [n, false] as const), ...cached.map((n) => [n, true] as const)], READ_CONCURRENCY, async ([name, uplink]) => {
      const entry = uplink ? await this.uplinkEntry(name) : await this.localEntry(name);
      if (entry) built[shardOf(name)]!.push(entry);
    });
    // An entry the listing did not see is dropped, unless it changed after the rebuild started.
    const drop = (e: IndexEntry) => (e.modified || '') < started;
    for (let n = 0; n < SHARDS; n++) await this.merge(n, built[n]!, drop);
    await this.store.putJson(META_KEY, { schema: SCHEMA, shards: SHARDS, builtAt: new Date(this.now()).toISOString() } satisfies MetaDoc);
    this.metaCheckedAt = this.now();
    this.collect();
  }

  private async localEntry(name: string): Promise<IndexEntry | null> {
    const doc = await this.store.getJson<Packument>(keys.manifest(name));
    return doc && typeof doc.name === 'string' && doc.versions ? entryOf(doc) : null;
  }

  private async uplinkEntry(name: string): Promise<IndexEntry | null> {
    const record = await this.store.getJson<{ uplink: string; fetchedAt: number; doc: Packument }>(keys.uplinkPackument(name));
    if (!record?.doc || record.doc.name !== name || typeof record.doc.versions !== 'object') return null;
    // listed as served: what the release-age guard holds back is left out, as after a fetch
    return entryOf(this.servedUplinkDoc(record.doc), { uplink: record.uplink, rev: record.fetchedAt });
  }
}

function buildView(shards: Array<Shard | undefined>): IndexView {
  const byName = new Map<string, IndexEntry>();
  for (const s of shards) for (const e of Object.values(s?.entries ?? {})) if (!e.unpublished && e.versions > 0) byName.set(e.name, e);
  const entries = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let reverse: Map<string, string[]> | null = null;
  return {
    entries,
    get: (name) => byName.get(name),
    dependents(name) {
      if (!reverse) {
        reverse = new Map();
        for (const e of entries) for (const d of e.dependencies ?? []) (reverse.get(d) ?? reverse.set(d, []).get(d)!).push(e.name);
      }
      return reverse.get(name) ?? [];
    },
  };
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
