import { keys, type Store } from '@factorywager/r2-store';
import type { Packument } from './packument.ts';

/** A change to a manifest: the next document, or undefined for "no change". Never changes `doc` in place. */
export type ManifestChange = (doc: Packument | null) => Packument | undefined;

/** A manifest as stored, and its store etag. */
export interface StoredManifest {
  doc: Packument;
  etag: string;
}

/** What one change led to: the manifest after the write that carried it. */
export interface CommitResult {
  value: Packument | null;
  etag: string | null;
  written: boolean;
  /** Resolves once the derived data callers wait for (the index entry) is written for it or a newer document. */
  derived: Promise<void>;
}

/** What {@link ManifestCommits} does around each manifest write. */
export interface ManifestCommitHooks {
  /** The freshest document this process holds (the packument cache), read for each group. */
  current(name: string): Promise<StoredManifest | null>;
  /** Runs at once after a write, before the next write of the package (the packument cache). */
  written(name: string, doc: Packument | null, etag: string | null): void;
  /** Derived data of a written manifest that callers wait for (the index entry); never throws. */
  derive(name: string, doc: Packument | null): Promise<void>;
  /** Derived data written after callers are answered (graph.json); never throws. */
  background(name: string, doc: Packument | null): Promise<void>;
}

/**
 * Background derived data of one package (graph.json) is written at most once per this many ms while
 * changes keep coming: the first change of a burst at once, then the newest after each gap.
 */
export const BACKGROUND_GAP_MS = 200;

/**
 * The gap after a background run is also at least this many times as long as that run took: the
 * graph of a package with thousands of versions takes tens of milliseconds to build and write (and
 * megabytes of garbage), so a burst of publishes into it spends at most about a tenth of its time there.
 */
export const BACKGROUND_GAP_PER_WORK = 10;

/**
 * A package with at least this many versions has its background derived data (graph.json) written
 * {@link BACKGROUND_LEAD_MS} after the first change of a burst rather than at once: its graph takes
 * tens of milliseconds and megabytes of garbage to build, and a burst of publishes into it then
 * builds it once at its end instead of also at its start (40 publishes into a 3,000-version package
 * on a fresh server: peak RSS 127–136 -> 114–123 MB).
 */
export const BACKGROUND_LEAD_VERSIONS = 1000;
/** See {@link BACKGROUND_LEAD_VERSIONS}. */
export const BACKGROUND_LEAD_MS = 1000;

const backgroundLead = (doc: Packument | null) =>
  doc && doc.versions && Object.keys(doc.versions).length >= BACKGROUND_LEAD_VERSIONS ? BACKGROUND_LEAD_MS : 0;

interface Job {
  change: ManifestChange;
  known: StoredManifest | null | undefined;
  resolve(result: CommitResult): void;
  reject(err: unknown): void;
}

/**
 * Group commit of the manifest changes of one package within this process. While a manifest write
 * of a package is in flight, further changes of it queue; when it is done, all queued changes are
 * applied in order to the stored document and go out in one check-and-set write (`updateJson`, so
 * other replicas over the store still lose nothing). A change that throws fails only its own caller
 * (the others are applied without it); a failed write fails the changes it carried. Each caller
 * learns of its change once the manifest is written, with `derived`: a promise of the derived data of
 * a manifest at least as new; derived writes of one package are coalesced (the newest document
 * waiting is the one written), and run beside the caller's own work that follows. Background
 * derived data (graph.json) is written after the callers are answered, coalesced the same way and
 * at most once per {@link BACKGROUND_GAP_MS} per package (longer when that work is slow, see
 * {@link BACKGROUND_GAP_PER_WORK}; and not at once for a package of thousands of versions, see
 * {@link BACKGROUND_LEAD_VERSIONS}).
 *
 * With `share` false (Workers, where a request must never await I/O another request started), each
 * change is its own write and its derived data is written by its own caller.
 * @example
 * const commits = new ManifestCommits(store, {
 *   current: (name) => cache.read(name),
 *   written: (name, doc, etag) => cache.set(name, doc, etag),
 *   derive: async (name, doc) => { if (doc) await index.recordQuietly(doc); },
 *   background: (name, doc) => writeGraphFile(store, name, doc).catch(() => {}),
 * });
 * const { value, derived } = await commits.commit('pkg', (doc) => ({ ...doc!, description: 'new' }));
 * await derived;
 */
export class ManifestCommits {
  /** False: no grouping, no coalescing (see the class comment). */
  share = true;
  private readonly queues = new Map<string, Job[]>();
  private readonly fresh = new Map<string, StoredManifest | null>();
  private readonly derived: Coalescer<Packument | null>;
  private readonly later: Coalescer<Packument | null>;

  constructor(private readonly store: Store, private readonly hooks: ManifestCommitHooks) {
    this.derived = new Coalescer((name, doc) => hooks.derive(name, doc));
    this.later = new Coalescer((name, doc) => hooks.background(name, doc), BACKGROUND_GAP_MS, BACKGROUND_GAP_PER_WORK, backgroundLead);
  }

  /** Resolves when the derived data of every write so far is written, background included (tests, shutdown). */
  async settled(): Promise<void> {
    do {
      await this.derived.settled();
      await this.later.settled();
    } while (this.derived.busy || this.later.busy);
  }

  /** Applies `change` to the manifest of `name` (grouped with the changes queued beside it). */
  commit(name: string, change: ManifestChange, known?: StoredManifest | null): Promise<CommitResult> {
    return new Promise<CommitResult>((resolve, reject) => {
      const job: Job = { change, known, resolve, reject };
      if (!this.share) {
        void this.write(name, [job], known);
        return;
      }
      const queue = this.queues.get(name);
      if (queue) {
        queue.push(job);
        return;
      }
      this.queues.set(name, [job]);
      void this.drain(name);
    });
  }

  /** Writes the queued changes of `name`, one group per write, until none are left. */
  private async drain(name: string): Promise<void> {
    let known: StoredManifest | null | undefined;
    for (;;) {
      const jobs = this.queues.get(name)!;
      if (jobs.length === 0) {
        this.queues.delete(name);
        this.fresh.delete(name);
        return;
      }
      this.queues.set(name, []);
      // What the callers read when they started may be older than the last write: ask again.
      if (known === undefined) known = await this.hooks.current(name).catch(() => undefined);
      const done = await this.write(name, jobs, known);
      known = done ? done.stored : undefined;
      if (known !== undefined) this.fresh.set(name, known);
    }
  }

  /**
   * While writes of `name` are queued or in flight: the manifest as the last of them left it (null:
   * none), so a caller need not read what is being replaced; otherwise undefined.
   */
  latest(name: string): StoredManifest | null | undefined {
    return this.share ? this.fresh.get(name) : undefined;
  }

  /**
   * One write carrying `jobs`; its callers are answered once it is done. Resolves with what the next
   * group may use as the known document.
   */
  private async write(name: string, jobs: Job[], known: StoredManifest | null | undefined): Promise<{ stored: StoredManifest | null } | null> {
    let failures: Array<{ error: unknown } | null> = [];
    const apply = (current: Packument | null): Packument | undefined => {
      failures = [];
      let doc = current;
      let changed = false;
      for (const job of jobs) {
        try {
          const next = job.change(doc);
          failures.push(null);
          if (next !== undefined) {
            doc = next;
            changed = true;
          }
        } catch (error) {
          failures.push({ error });
        }
      }
      return changed ? doc! : undefined;
    };
    let result;
    try {
      result = await this.store.updateJson<Packument>(keys.manifest(name), apply, known ? { known: { value: known.doc, etag: known.etag } } : {});
    } catch (err) {
      for (const job of jobs) job.reject(err);
      return null;
    }
    let derived = Promise.resolve();
    if (result.written) {
      this.hooks.written(name, result.value, result.etag);
      const doc = result.value;
      derived = this.share
        ? this.derived.run(name, doc).then(() => void this.later.run(name, doc))
        : this.hooks.derive(name, doc).then(() => this.hooks.background(name, doc));
    }
    const answer: CommitResult = { value: result.value, etag: result.etag, written: result.written, derived };
    jobs.forEach((job, i) => {
      const failed = failures[i];
      if (failed) job.reject(failed.error);
      else job.resolve(answer);
    });
    return { stored: result.value && result.etag ? { doc: result.value, etag: result.etag } : null };
  }
}

/**
 * Runs `work` for the newest value of each key: while a run for a key is in flight (or, with
 * `gapMs`, for that long after it, or `perWork` times as long as the run took if that is longer),
 * later values wait, and only the last of them is run next (everyone who waited is answered by that
 * run). With `leadOf`, the first run of a burst waits that long for its value (then runs the newest
 * value that arrived meanwhile). {@link settled} skips the gaps and leads.
 * @example
 * const graphs = new Coalescer<Packument | null>((name, doc) => writeGraphFile(store, name, doc), 200);
 * await graphs.run('pkg', doc); // done for doc, or for a newer doc of 'pkg'
 */
export class Coalescer<T> {
  private readonly slots = new Map<string, { value: T; waiting: Array<() => void> } | null>();
  private readonly loops = new Set<Promise<void>>();
  private readonly gaps = new Set<() => void>();
  private flushing = 0;

  /** `work` never rejects the callers: its failures are swallowed (it is derived data). */
  constructor(
    private readonly work: (key: string, value: T) => Promise<void>,
    private readonly gapMs = 0,
    private readonly perWork = 0,
    private readonly leadOf: (value: T) => number = () => 0,
  ) {}

  /** Resolves once `work` ran for `value` or for a newer value of `key`. */
  run(key: string, value: T): Promise<void> {
    return new Promise<void>((resolve) => {
      const slot = this.slots.get(key);
      if (slot === undefined) {
        this.slots.set(key, null);
        const loop = this.loop(key, value, [resolve]);
        this.loops.add(loop);
        void loop.finally(() => this.loops.delete(loop));
      } else if (slot) {
        slot.value = value;
        slot.waiting.push(resolve);
      } else {
        this.slots.set(key, { value, waiting: [resolve] });
      }
    });
  }

  /** True while a run is in flight, waiting, or in its gap. */
  get busy(): boolean {
    return this.loops.size > 0;
  }

  /** Resolves when no run is in flight or waiting (gaps are skipped meanwhile). */
  async settled(): Promise<void> {
    this.flushing++;
    try {
      while (this.loops.size) {
        for (const wake of this.gaps) wake();
        await Promise.all([...this.loops]);
      }
    } finally {
      this.flushing--;
    }
  }

  private async loop(key: string, value: T, waiting: Array<() => void>): Promise<void> {
    const lead = this.flushing === 0 ? this.leadOf(value) : 0;
    if (lead > 0) {
      await this.gap(lead);
      const next = this.slots.get(key);
      if (next) {
        this.slots.set(key, null);
        value = next.value;
        waiting = [...waiting, ...next.waiting];
      }
    }
    for (;;) {
      const started = performance.now();
      await this.work(key, value).catch(() => {});
      const took = performance.now() - started;
      for (const done of waiting) done();
      // the gap: values that arrive meanwhile wait for its end, so a burst costs few runs
      if (this.gapMs > 0 && this.flushing === 0) await this.gap(Math.max(this.gapMs, took * this.perWork));
      const next = this.slots.get(key);
      if (!next) {
        this.slots.delete(key);
        return;
      }
      this.slots.set(key, null);
      ({ value, waiting } = next);
    }
  }

  /** Waits `ms`, or less when {@link settled} is called meanwhile (a gap or a lead). */
  private gap(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.gaps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      (timer as { unref?: () => void }).unref?.();
      this.gaps.add(wake);
    });
  }
}
