import { mkdir, readFile, rename, writeFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FeedItem } from './parse-feed.ts';

/** A kept item: the item as last fetched, and when it was first seen. */
export interface StoredItem extends FeedItem {
  firstSeen: string;
  /** Position in the feed it last came from (feeds list newest first; dates may share a second). */
  position: number;
}

/** Newest first: by date, else by first sight. */
export const newestFirst = (a: StoredItem, b: StoredItem) =>
  (b.date ?? b.firstSeen).localeCompare(a.date ?? a.firstSeen) || (a.position ?? 0) - (b.position ?? 0) || a.guid.localeCompare(b.guid);

/**
 * The kept items, one JSON file written whole (temp file + rename), deduplicated by GUID: an item
 * fetched again (from the same feed or another that carries it) replaces its older copy and keeps
 * its first-seen time.
 * @example
 * const store = new FeedItemStore('.factorywager/.rss/items.json');
 * const { added } = await store.merge(items);
 */
export class FeedItemStore {
  constructor(readonly path: string) {}

  async list(): Promise<StoredItem[]> {
    try {
      const doc = JSON.parse(await readFile(this.path, 'utf8')) as { items?: StoredItem[] };
      return (Array.isArray(doc.items) ? doc.items : []).filter((i) => typeof i?.guid === 'string').sort(newestFirst);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** Adds or replaces items by GUID; returns how many were new and how many updated. */
  async merge(items: Array<FeedItem & { position?: number }>, now = new Date()): Promise<{ added: number; updated: number; total: number }> {
    const kept = new Map((await this.list()).map((i) => [i.guid, i]));
    let added = 0;
    let updated = 0;
    for (const [position, item] of items.entries()) {
      const old = kept.get(item.guid);
      if (old) updated++;
      else added++;
      kept.set(item.guid, { ...item, firstSeen: old?.firstSeen ?? now.toISOString(), position: item.position ?? position });
    }
    const all = [...kept.values()].sort(newestFirst);
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ items: all }));
    await rename(tmp, this.path).catch(async (err: unknown) => {
      await unlink(tmp).catch(() => {});
      throw err;
    });
    return { added, updated, total: all.length };
  }
}
