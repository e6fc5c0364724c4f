import { pool, sameContent } from './_util.ts';
import { scanSource, scanTargets, storeFor, targetsOf, type SyncOptions } from './upload.ts';

/** What differs between the local store and the target. Keys sorted; the counts are their lengths. */
export interface SyncStatus {
  /** Local objects the target lacks. */
  missing: string[];
  /** Objects on both sides whose content differs. */
  changed: string[];
  /** Objects at the target that the local store lacks. */
  extra: string[];
  /** Objects that are the same on both sides. */
  same: number;
  counts: { missing: number; changed: number; extra: number; same: number };
}

/**
 * Compares the two stores both ways over the keys a sync copies: every common key is checked
 * against the target (its `fw-sha256` metadata, an MD5 etag, or its bytes), not against the journal.
 * @example
 * const s = await syncStatus({ source, target });
 * console.log(`${s.counts.missing} missing, ${s.counts.changed} changed, ${s.counts.extra} extra`);
 */
export async function syncStatus(options: Pick<SyncOptions, 'source' | 'target' | 'concurrency' | 'includeAuthSecret'>): Promise<SyncStatus> {
  const targets = targetsOf(options.target);
  const [local, remote] = await Promise.all([scanSource(options, () => {}), scanTargets(targets, options)]);
  const localKeys = new Set(local.map((o) => o.key));
  const missing: string[] = [];
  const changed: string[] = [];
  let same = 0;
  await pool(local, Math.max(1, options.concurrency ?? 16), async (o) => {
    if (!remote.has(o.key)) return void missing.push(o.key);
    const store = storeFor(targets, o);
    const info = await store.head(o.key);
    if (!info) return void missing.push(o.key);
    const read = async () => (await options.source.get(o.key))?.body ?? null;
    if (await sameContent(store, info, o, read)) same++;
    else changed.push(o.key);
  });
  const extra = [...remote].filter((k) => !localKeys.has(k)).sort();
  missing.sort();
  changed.sort();
  return { missing, changed, extra, same, counts: { missing: missing.length, changed: changed.length, extra: extra.length, same } };
}
