import type { Html } from './_html.ts';

interface Kept {
  total: number;
  rows: readonly Html[];
  bytes: Uint8Array<ArrayBuffer>;
}

const encoder = new TextEncoder();

/**
 * The encoded list pages of logged-out visitors, by path and query, kept while they would read the
 * same: the same total and the same row markup objects (the row markup is kept per row object while
 * its relative age reads the same, and a changed package is a new row object), so an unchanged page
 * costs no templating, no string and no encoding per request. Everything else on such a page follows
 * from its path and query. At most `max` pages (the least recently served goes first); 0 keeps none.
 * @internal
 */
export class ListPageCache {
  private readonly pages = new Map<string, Kept>();
  constructor(private readonly max: number) {}

  /** The bytes of the page at `key` showing `total` and `rows`, rendered by `render` when not kept. */
  get(key: string, total: number, rows: readonly Html[], render: () => string): Uint8Array<ArrayBuffer> {
    const kept = this.pages.get(key);
    if (kept && kept.total === total && sameRows(kept.rows, rows)) {
      this.pages.delete(key); // least recently served first
      this.pages.set(key, kept);
      return kept.bytes;
    }
    const bytes = encoder.encode(render());
    if (this.max <= 0) return bytes;
    this.pages.delete(key);
    this.pages.set(key, { total, rows, bytes });
    while (this.pages.size > this.max) this.pages.delete(this.pages.keys().next().value!);
    return bytes;
  }
}

function sameRows(a: readonly Html[], b: readonly Html[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
