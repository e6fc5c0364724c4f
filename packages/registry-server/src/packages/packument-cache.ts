import { keys, type Store } from '@factorywager/r2-store';
import { gzip } from '../_http.ts';
import { abbreviatedPackument, isLive, publicPackument, type Packument } from './packument.ts';

/** A serialized packument form, ready to send. */
export interface RenderedPackument {
  body: Uint8Array;
  etag: string;
  /** gzip of body, made on first request that accepts gzip. */
  gz?: Uint8Array;
}

interface Entry {
  etag: string;
  doc: Packument;
  checkedAt: number;
  full?: RenderedPackument;
  abbreviated?: RenderedPackument;
}

const encoder = new TextEncoder();
const MAX_ENTRIES = 1000;

/**
 * Keeps parsed and serialized packuments keyed by the manifest's store etag, so a hot GET does one
 * `head` and no JSON work. Writes through this process replace the entry at once; writes from other
 * replicas are seen on the next request because every read revalidates with a `head` of the manifest
 * (`revalidateMs` > 0 trades that for a short TTL without the head).
 */
export class PackumentCache {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly store: Store, private readonly revalidateMs = 0, private readonly clock: () => number = Date.now) {}

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
      const value = form === 'full' ? publicPackument(entry.doc) : abbreviatedPackument(entry.doc);
      const tag = entry.etag.replace(/[^A-Za-z0-9._-]/g, '');
      rendered = { body: encoder.encode(JSON.stringify(value)), etag: `W/"${tag}-${form === 'full' ? 'f' : 'a'}"` };
      entry[form] = rendered;
    }
    if (wantGzip && !rendered.gz) rendered.gz = await gzip(rendered.body);
    return rendered;
  }

  /** Records a value this process just wrote. */
  set(name: string, doc: Packument | null, etag: string | null): void {
    if (!doc || !etag) { this.entries.delete(name); return; }
    this.put(name, { doc, etag, checkedAt: this.clock() });
  }

  private put(name: string, entry: Entry): void {
    this.entries.delete(name);
    this.entries.set(name, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  private async entry(name: string): Promise<Entry | null> {
    const cached = this.entries.get(name);
    const now = this.clock();
    if (cached && this.revalidateMs > 0 && now - cached.checkedAt < this.revalidateMs) return cached;
    const key = keys.manifest(name);
    if (cached) {
      const info = await this.store.head(key);
      if (!info) { this.entries.delete(name); return null; }
      if (info.etag === cached.etag) { cached.checkedAt = now; return cached; }
    }
    const fresh = await this.store.getJsonWithEtag<Packument>(key);
    if (!fresh) { this.entries.delete(name); return null; }
    const entry: Entry = { doc: fresh.value, etag: fresh.etag, checkedAt: now };
    this.put(name, entry);
    return entry;
  }
}
