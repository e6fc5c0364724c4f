import type { Store } from '@factorywager/r2-store';

/** Download counts of one package at `versions/{name}/downloads.json`. */
export interface DownloadCounts {
  total: number;
  versions: Record<string, number>;
}

/**
 * Next to history.json; "downloads" is no semver version, so it cannot clash with a version record.
 * @example
 * downloadsKey('@acme/ui'); // 'versions/@acme/ui/downloads.json'
 */
export const downloadsKey = (name: string) => `versions/${name}/downloads.json`;

/**
 * Counts tarball downloads without slowing the GET: counts gather in memory and are added to the
 * store by one `updateJson` per package at a time (many downloads during one write share the next).
 * @example
 * const counter = new DownloadCounter(store);
 * counter.record('pkg', '1.0.0');
 * await counter.idle();
 */
export class DownloadCounter {
  private readonly pending = new Map<string, Map<string, number>>();
  private readonly running = new Map<string, Promise<void>>();
  /** Called after a package's counts were written (the stats read them again). */
  onWritten: (name: string) => void = () => {};
  constructor(private readonly store: Store, private readonly onError: (err: unknown) => void = () => {}) {}

  /**
   * Counts one download. Resolves the write this call started (later downloads of the package join
   * it), or undefined when a running write will take this one too. On Workers the caller keeps the
   * write it started alive with `waitUntil`, and never waits on another request's.
   */
  record(name: string, version: string): Promise<void> | undefined {
    let counts = this.pending.get(name);
    if (!counts) this.pending.set(name, (counts = new Map()));
    counts.set(version, (counts.get(version) ?? 0) + 1);
    if (this.running.has(name)) return undefined;
    const run = this.flush(name).catch(this.onError).finally(() => this.running.delete(name));
    this.running.set(name, run);
    return run;
  }

  private async flush(name: string): Promise<void> {
    for (let counts = this.pending.get(name); counts; counts = this.pending.get(name)) {
      this.pending.delete(name);
      await this.store.updateJson<DownloadCounts>(downloadsKey(name), (current) => {
        const next: DownloadCounts = { total: current?.total ?? 0, versions: { ...current?.versions } };
        for (const [v, n] of counts!) {
          next.versions[v] = (next.versions[v] ?? 0) + n;
          next.total += n;
        }
        return next;
      });
      this.onWritten(name);
    }
  }

  /** Resolves once every recorded download is in the store. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all(this.running.values());
  }
}
