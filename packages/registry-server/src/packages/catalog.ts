import { keys, type Store } from '@factorywager/r2-store';
import { isLive, type Packument } from './packument.ts';
import { downloadsKey, type DownloadCounts } from './downloads.ts';
import type { IndexEntry } from './index-entry.ts';

/**
 * Every package name with a folder under `packages/` (scoped names included), sorted.
 * @example
 * await listPackageNames(store); // ['@acme/ui', 'left-pad']
 */
export async function listPackageNames(store: Store): Promise<string[]> {
  return listNamesUnder(store, keys.packagesPrefix());
}

/**
 * Every package name with a folder under `prefix` (`packages/`, `cache/uplinks/`), sorted.
 * @example
 * await listNamesUnder(store, 'cache/uplinks/'); // ['left-pad']
 */
export async function listNamesUnder(store: Store, root: string): Promise<string[]> {
  const names: string[] = [];
  const walk = async (prefix: string, scope: string | null) => {
    let cursor: string | undefined;
    do {
      const page = await store.list({ prefix, delimiter: '/', ...(cursor ? { cursor } : {}) });
      for (const p of page.prefixes) {
        const seg = p.slice(prefix.length, -1);
        if (scope === null && seg.startsWith('@')) await walk(p, seg);
        else names.push(scope ? `${scope}/${seg}` : seg);
      }
      cursor = page.cursor;
    } while (cursor);
  };
  await walk(root, null);
  return names.sort();
}

/**
 * Live packuments (`read` is usually the packument cache), in name order.
 * @example
 * const docs = await loadPackuments(store, (name) => store.getJson(keys.manifest(name)));
 */
export async function loadPackuments(store: Store, read: (name: string) => Promise<Packument | null>): Promise<Packument[]> {
  const docs = await Promise.all((await listPackageNames(store)).map(read));
  return docs.filter(isLive);
}

/** Registry-wide figures for `registry:stats`. */
export interface RegistryStats {
  packages: number;
  versions: number;
  /** Bytes of all stored tarballs. */
  bytes: number;
  downloads: number;
  perPackage: Array<{ name: string; versions: number; bytes: number; downloads: number }>;
}

/**
 * Packages, versions, tarball bytes and downloads of the given index entries (the local packages a
 * caller may read). Versions and bytes come from the entries; download totals are read from the store
 * at most once per `ttlMs` for every package, and at once for a package whose counts this process just
 * wrote ({@link changed}), so no request reads every package's counts while they stand still.
 * @example
 * const stats = new StatsCounter(store, 10_000);
 * await stats.compute(readable.local); // { packages, versions, bytes, downloads, perPackage }
 */
export class StatsCounter {
  private totals = new Map<string, number>();
  private readAt = -Infinity;
  private readonly dirty = new Set<string>();
  /** The read in flight, shared by the requests that arrive meanwhile (one read of every package, not one per request). */
  private reading: Promise<void> | null = null;
  /** Grows whenever download totals were read: with the same entries, the same figures. */
  version = 0;
  /** Entry lists (immutable, one per index view and caller) all of whose totals were held at that version. */
  private readonly complete = new WeakMap<readonly IndexEntry[], number>();
  constructor(private readonly store: Store, private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  /** Marks a package's download counts as written here (read again on the next stats). */
  changed(name: string): void {
    this.dirty.add(name);
  }

  /**
   * The figures over `entries`, after `settle` (the download counter's idle) resolves. With `share`
   * false (Workers: a request never awaits I/O another request started) each call reads for itself.
   */
  async compute(entries: readonly IndexEntry[], settle: () => Promise<void> = async () => {}, share = true): Promise<RegistryStats> {
    await this.refresh(entries, settle, share);
    return this.figures(entries);
  }

  /**
   * The download totals read where due (as {@link compute} does); resolves to {@link version}: with the
   * same entries and the same version, {@link figures} are the same, so a caller may keep their JSON.
   */
  async refresh(entries: readonly IndexEntry[], settle: () => Promise<void> = async () => {}, share = true): Promise<number> {
    await settle();
    while (share && this.reading) await this.reading;
    const now = this.now();
    const all = now - this.readAt >= this.ttlMs;
    // nothing due: no look at every entry of the list again
    if (!all && this.dirty.size === 0 && this.complete.get(entries) === this.version) return this.version;
    const names = all ? entries.map((e) => e.name) : entries.map((e) => e.name).filter((n) => this.dirty.has(n) || !this.totals.has(n));
    if (names.length) {
      this.reading = (async () => {
        const totals = all ? new Map<string, number>() : this.totals;
        for (const n of names) this.dirty.delete(n);
        await pool(names, 16, async (name) => {
          const counts = await this.store.getJson<DownloadCounts>(downloadsKey(name));
          totals.set(name, counts?.total ?? 0);
        });
        this.totals = totals;
        this.version++;
        if (all) this.readAt = now;
      })().finally(() => {
        this.reading = null;
      });
      await this.reading;
    }
    if (share) this.complete.set(entries, this.version);
    return this.version;
  }

  /** The figures over `entries` from the totals as last read. */
  figures(entries: readonly IndexEntry[]): RegistryStats {
    const perPackage = entries.map((e) => ({ name: e.name, versions: e.versions, bytes: e.bytes ?? 0, downloads: this.totals.get(e.name) ?? 0 }));
    return {
      packages: perPackage.length,
      versions: perPackage.reduce((n, p) => n + p.versions, 0),
      bytes: perPackage.reduce((n, p) => n + p.bytes, 0),
      downloads: perPackage.reduce((n, p) => n + p.downloads, 0),
      perPackage,
    };
  }
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}
