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
 * store by one `updateJson` per package at a time (many downloads during one write share the next),
 * and with `gapMs`, at most one write per package in that time: a package downloaded thousands of
 * times a second costs one durable write a second, not one after the other (each a few hundred µs of
 * CPU on the fs driver). `idle()` writes what is gathered at once.
 * @example
 * const counter = new DownloadCounter(store);
 * counter.record('pkg', '1.0.0');
 * await counter.idle();
 */
export class DownloadCounter {
  private readonly pending = new Map<string, Map<string, number>>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly pauses = new Set<() => void>();
  private hurrying = 0;
  /** Called after a package's counts were written (the stats read them again). */
  onWritten: (name: string) => void = () => {};
  constructor(private readonly store: Store, private readonly onError: (err: unknown) => void = () => {}, private readonly gapMs = 0) {}

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
      await this.pause(); // downloads meanwhile join the next write
    }
  }

  /** Waits `gapMs` after a write, unless `idle()` is waiting. */
  private pause(): Promise<void> {
    if (this.gapMs <= 0 || this.hurrying) return Promise.resolve();
    return new Promise<void>((done) => {
      const end = () => {
        clearTimeout(timer);
        this.pauses.delete(end);
        done();
      };
      const timer = setTimeout(end, this.gapMs);
      (timer as { unref?: () => void }).unref?.();
      this.pauses.add(end);
    });
  }

  /** Resolves once every recorded download is in the store. */
  async idle(): Promise<void> {
    this.hurrying++;
    try {
      for (const end of [...this.pauses]) end();
      while (this.running.size) await Promise.all(this.running.values());
    } finally {
      this.hurrying--;
    }
  }
}
