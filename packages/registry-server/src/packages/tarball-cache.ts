/** Bounds of a {@link TarballCache}. */
export interface TarballCacheLimits {
  /** Bytes of tarballs held in all (0: no cache). */
  maxBytes: number;
  /** Largest tarball held; bigger ones are streamed from the store on every GET. */
  maxSize: number;
}

interface Cached {
  integrity: string;
  bytes: Uint8Array;
  etag: string;
}

/**
 * Small tarballs in memory, least recently used first out, so a hot tarball GET does no store read
 * for its bytes. An entry is keyed by package and file and carries the `dist.integrity` of the version
 * it was read for: it is served only while the (revalidated) manifest lists that version with that
 * integrity, so an unpublish is seen at once and a different tarball is never served for a version.
 * @example
 * const cache = new TarballCache({ maxBytes: 16 * 1024 * 1024, maxSize: 256 * 1024 });
 * cache.set('pkg', 'pkg-1.0.0.tgz', 'sha512-...', bytes, '"etag"');
 * cache.get('pkg', 'pkg-1.0.0.tgz', 'sha512-...'); // { bytes, etag }
 */
export class TarballCache {
  private readonly entries = new Map<string, Cached>();
  private bytes = 0;
  constructor(readonly limits: TarballCacheLimits) {}

  /** Whether a tarball of `size` bytes would be kept. */
  fits(size: number): boolean {
    return size <= this.limits.maxSize && size <= this.limits.maxBytes;
  }

  get(name: string, file: string, integrity: string): { bytes: Uint8Array; etag: string } | null {
    const key = `${name}/${file}`;
    const hit = this.entries.get(key);
    if (!hit) return null;
    if (hit.integrity !== integrity) {
      this.remove(key);
      return null;
    }
    // Recently used goes last (Map order is insertion order).
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  set(name: string, file: string, integrity: string, bytes: Uint8Array, etag: string): void {
    if (!this.fits(bytes.byteLength)) return;
    const key = `${name}/${file}`;
    this.remove(key);
    this.entries.set(key, { integrity, bytes, etag });
    this.bytes += bytes.byteLength;
    while (this.bytes > this.limits.maxBytes) this.remove(this.entries.keys().next().value!);
  }

  private remove(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.bytes -= old.bytes.byteLength;
    this.entries.delete(key);
  }
}
