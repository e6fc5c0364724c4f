import { keys, type Store } from '@factorywager/r2-store';
import { gzip } from '../_http.ts';
import { abbreviatedPackument, isLive, publicPackument, withTarballUrls, type Packument } from './packument.ts';
import { fnv1aHex } from '../_crypto.ts';

/** A serialized packument form, ready to send. */
export interface RenderedPackument {
  /** The JSON bytes, made once per form and handed to every response (Bun 1.4 copies them into each; a Blob did not send a 176 KB body faster). */
  body: Uint8Array<ArrayBuffer>;
  etag: string;
  /** gzip of body, made on first request that accepts gzip. */
  gz?: Uint8Array<ArrayBuffer>;
}

interface Entry {
  name: string;
  etag: string;
  doc: Packument;
  checkedAt: number;
  /** The store's change stamp of the manifest, read before the head that last confirmed `etag`. */
  stamp?: number | undefined;
  /** Bytes held for this entry: serialized forms, plus the parsed doc estimated as twice its full JSON. */
  bytes: number;
  full?: RenderedPackument;
  abbreviated?: RenderedPackument;
}

/** Bounds of a {@link PackumentCache} (the config's `cache.packuments` and `cache.packumentBytes`). */
export interface PackumentCacheLimits {
  maxEntries: number;
  maxBytes: number;
}

export const DEFAULT_PACKUMENT_CACHE_LIMITS: PackumentCacheLimits = { maxEntries: 1000, maxBytes: 64 * 1024 * 1024 };

/**
 * Keeps parsed and serialized packuments keyed by the manifest's store etag, so a hot GET does one
 * `head` and no JSON work. Writes through this process replace the entry at once; writes from other
 * replicas are seen by revalidating with a `head` of the manifest on every read, shared by the reads
 * that arrive while it is in flight (single flight: under load one head serves many GETs, and a read
 * is never staler than one head round trip). `revalidateMs` > 0 trades that for a short TTL.
 * Where the store has a change signal (`changeStamp`: the fs driver on a local filesystem), a read
 * whose manifest's stamp still reads what it read before the last head needs no head at all, for up
 * to `stampMaxAgeMs` after that head (a write the signal missed — a writer killed between its commit
 * and its stamp, a file replaced by hand — shows within that time); such a read can also be answered
 * synchronously ({@link PackumentCache.renderNow}).
 * @example
 * const cache = new PackumentCache(store);
 * const rendered = await cache.render('pkg', 'abbreviated', true); // { body, etag, gz }
 */
export class PackumentCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry | null>>();
  private bytes = 0;
  private readonly urlTag: string;
  /**
   * Concurrent reads of one name share one revalidation (default). False on Workers: each read
   * revalidates for itself, since a request there must never await I/O another request started.
   */
  shareReads = true;
  /** Entry and byte bounds; the newest entry always stays. */
  limits: PackumentCacheLimits = DEFAULT_PACKUMENT_CACHE_LIMITS;
  /** With `publicUrl`, served tarball links point there, and ETags change when it does. */
  /** How long a change stamp that still reads the same stands in for a head (`cache.changeMapMaxAge`); 0: never. */
  stampMaxAgeMs = 1000;
  constructor(private readonly store: Store, private readonly revalidateMs = 0, private readonly clock: () => number = Date.now, private readonly publicUrl?: string) {
    this.urlTag = publicUrl ? `${fnv1aHex(publicUrl)}-` : '';
  }

  /** The entry when it is known current without I/O: within the TTL, or its change stamp unmoved. */
  private current(name: string): Entry | undefined {
    const cached = this.entries.get(name);
    if (!cached) return undefined;
    const age = this.clock() - cached.checkedAt;
    if (this.revalidateMs > 0 && age < this.revalidateMs) return cached;
    if (cached.stamp === undefined || age >= this.stampMaxAgeMs) return undefined;
    return this.store.changeStamp?.(keys.manifest(name)) === cached.stamp ? cached : undefined;
  }

  /**
   * The serialized form when it can be given without I/O (see {@link PackumentCache.current}): the
   * packument is cached, current, live, and that form (and its gzip, when wanted) already made.
   * Undefined otherwise: then {@link PackumentCache.render} answers.
   */
  renderNow(name: string, form: 'full' | 'abbreviated', wantGzip: boolean): RenderedPackument | undefined {
    const entry = this.current(name);
    const rendered = entry && isLive(entry.doc) ? entry[form] : undefined;
    return rendered && (!wantGzip || rendered.gz) ? rendered : undefined;
  }

  /** The stored packument and its etag when known current without I/O; undefined: ask {@link PackumentCache.read}. */
  readNow(name: string): { doc: Packument; etag: string } | undefined {
    const entry = this.current(name);
    return entry ? { doc: entry.doc, etag: entry.etag } : undefined;
  }

  /** The stored packument and its store etag, or null when absent. */
  async read(name: string): Promise<{ doc: Packument; etag: string } | null> {
    const entry = await this.entry(name);
    return entry ? { doc: entry.doc, etag: entry.etag } : null;
  }

  /** The serialized form of a live packument, or null when absent or fully unpublished. */
  async render(name: string, form: 'full' | 'abbreviated', wantGzip: boolean): Promise<RenderedPackument | null> {
    const entry = await this.entry(name);
    if (!entry || !isLive(entry.doc)) return null;
    let rendered = entry[form];
    if (!rendered) {
      const doc = this.publicUrl ? withTarballUrls(entry.doc, this.publicUrl) : entry.doc;
      const value = form === 'full' ? publicPackument(doc) : abbreviatedPackument(doc);
      const tag = entry.etag.replace(/[^A-Za-z0-9._-]/g, '');
      rendered = { body: new TextEncoder().encode(JSON.stringify(value)), etag: `W/"${tag}-${this.urlTag}${form === 'full' ? 'f' : 'a'}"` };
      entry[form] = rendered;
      this.grow(entry, rendered.body.byteLength * (form === 'full' ? 3 : 1));
    }
    if (wantGzip && !rendered.gz) {
      rendered.gz = new Uint8Array(await (await gzip(new Blob([rendered.body]))).arrayBuffer());
      this.grow(entry, rendered.gz.byteLength);
    }
    return rendered;
  }

  /** Records a value this process just wrote. */
  set(name: string, doc: Packument | null, etag: string | null): void {
    this.inflight.delete(name);
    if (!doc || !etag) { this.remove(name); return; }
    this.put(name, { name, doc, etag, checkedAt: this.clock(), bytes: 0 });
  }

  private drop(name: string, seen: Entry | undefined): void {
    if (this.entries.get(name) === seen) this.remove(name);
  }

  private remove(name: string): void {
    const old = this.entries.get(name);
    if (old) { this.bytes -= old.bytes; this.entries.delete(name); }
  }

  private grow(entry: Entry, bytes: number): void {
    entry.bytes += bytes;
    if (this.entries.get(entry.name) === entry) this.bytes += bytes;
    this.evict();
  }

  private put(name: string, entry: Entry): void {
    this.remove(name);
    this.entries.set(name, entry);
    this.bytes += entry.bytes;
    this.evict();
  }

  /** Oldest first, while over either bound; the newest entry always stays. */
  private evict(): void {
    while ((this.entries.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes) && this.entries.size > 1) {
      this.remove(this.entries.keys().next().value!);
    }
  }

  private entry(name: string): Promise<Entry | null> {
    const known = this.current(name);
    if (known) return Promise.resolve(known);
    const cached = this.entries.get(name);
    if (!this.shareReads) return this.revalidate(name, cached);
    const shared = this.inflight.get(name);
    // Another request's read failed (on Workers also when that request was cancelled: its I/O cannot
    // serve another request): this one reads for itself rather than failing with it.
    if (shared) return shared.catch(() => this.revalidate(name, this.entries.get(name)));
    const pending: Promise<Entry | null> = this.revalidate(name, cached).finally(() => {
      if (this.inflight.get(name) === pending) this.inflight.delete(name);
    });
    this.inflight.set(name, pending);
    return pending;
  }

  private async revalidate(name: string, cached: Entry | undefined): Promise<Entry | null> {
    const now = this.clock();
    const key = keys.manifest(name);
    // read before the head: a write that lands after it moves the stamp, so it is never missed
    const stamp = this.stampMaxAgeMs > 0 ? this.store.changeStamp?.(key) : undefined;
    if (cached) {
      const info = await this.store.head(key);
      if (!info) { this.drop(name, cached); return null; }
      if (info.etag === cached.etag) { cached.checkedAt = now; cached.stamp = stamp; return cached; }
    }
    const fresh = await this.store.getJsonWithEtag<Packument>(key);
    if (!fresh) { this.drop(name, cached); return null; }
    const current = this.entries.get(name);
    if (current && current !== cached && current.etag === fresh.etag) return current;
    const entry: Entry = { name, doc: fresh.value, etag: fresh.etag, checkedAt: now, bytes: 0, stamp };
    this.put(name, entry);
    return entry;
  }
}
