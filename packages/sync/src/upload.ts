import { isStoreError, type ObjectInfo, type PutOptions, type Store } from '@factorywager/r2-store';
import { classifyKey, mayTravel, PHASES, SYNC_PREFIXES, type ClassifyOptions, type SyncEntry } from './classify.ts';
import { SyncError } from './errors.ts';
import { memoryJournal, type SyncJournal } from './journal.ts';
import { HASH_META, listAll, localObject, pool, sameContent, type LocalObject } from './_util.ts';

/** Where each kind of key goes: `secrets/` may have a bucket of its own (R2_SECRETS_BUCKET). */
export interface SyncTargets {
  registry: Store;
  secrets?: Store;
}

/** Progress of a run: objects and bytes of the work left after the scan. */
export interface SyncProgress {
  phase: 'scan' | 'tarballs' | 'files' | 'manifests';
  /** Objects settled (sent, found already there, or refused) out of `total`. */
  done: number;
  total: number;
  bytesDone: number;
  bytesTotal: number;
}

/** Options of {@link syncUpload} and {@link syncStatus}. */
export interface SyncOptions extends ClassifyOptions {
  /** The local store (the fs driver over the data folder). */
  source: Store;
  target: Store | SyncTargets;
  /** Default: in memory (no resume across processes). */
  journal?: SyncJournal;
  /** Objects in flight at once. Default 8. */
  concurrency?: number;
  /** Check everything, send nothing, record nothing. */
  dryRun?: boolean;
  onProgress?: (progress: SyncProgress) => void;
}

/** What a run did (or, with `dryRun`, would do). */
export interface SyncUploadReport {
  dryRun: boolean;
  /** Local objects the sync considered. */
  objects: number;
  /** Keys sent (with `dryRun`: that would be sent), in the order they went. */
  sent: string[];
  bytesSent: number;
  /** Objects already at the target with the same content. */
  unchanged: number;
  /** Tarballs that differ at the target (never overwritten), and writes that lost a race. */
  conflicts: Array<{ key: string; reason: string }>;
  /** `secrets/` objects that are not encrypted envelopes, metadata or audit: never sent. */
  refused: string[];
  /** Manifests not sent because a tarball of their package did not arrive. */
  heldBack: string[];
}

/** @internal */
export const targetsOf = (t: Store | SyncTargets): SyncTargets => ('registry' in t && !('get' in t) ? t : { registry: t as Store });
/** @internal */
export const storeFor = (targets: SyncTargets, entry: SyncEntry) => (entry.kind === 'secret' && targets.secrets) || targets.registry;

/** @internal Local objects under the sync prefixes, with hashes. */
export async function scanSource(options: SyncOptions, onEach: () => void): Promise<Array<SyncEntry & LocalObject>> {
  const entries = (await listAll(options.source, SYNC_PREFIXES)).map((k) => classifyKey(k, options)).filter((e): e is SyncEntry => e !== null);
  const out: Array<SyncEntry & LocalObject> = [];
  await pool(entries, Math.max(options.concurrency ?? 8, 16), async (entry) => {
    const local = await localObject(options.source, entry.key);
    if (local) out.push({ ...entry, ...local });
    onEach();
  });
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** @internal Keys at the targets under the sync prefixes. */
export async function scanTargets(targets: SyncTargets, options: ClassifyOptions = {}): Promise<Set<string>> {
  const keys = await listAll(targets.registry, SYNC_PREFIXES.filter((p) => !targets.secrets || p !== 'secrets/'));
  if (targets.secrets) keys.push(...(await listAll(targets.secrets, ['secrets/'])));
  return new Set(keys.filter((k) => classifyKey(k, options) !== null));
}

/**
 * Copies the local store to the target, incrementally and resumably:
 * - an object whose content hash the journal recorded for a key the target lists is skipped with no
 *   request; any other is checked with a HEAD (the hash is kept in the `fw-sha256` metadata), so an
 *   object that arrived just before a kill is not sent again;
 * - tarballs first (If-None-Match: *; one that differs at the target is a conflict, never
 *   overwritten), then versions, secrets and auth, then manifests, each only after every tarball
 *   of its package arrived, so a replica reading the bucket never sees a manifest whose tarballs are
 *   missing; mutable objects are written If-Match the etag just seen, so a concurrent writer's
 *   change is reported, not lost;
 * - only the keys {@link classifyKey} admits travel; `secrets/` objects must be encrypted formats.
 * A failing store stops the run with SyncError UPLOAD_FAILED; what arrived stays recorded.
 * @example
 * const report = await syncUpload({ source: createStore({ driver: 'fs', root: '.factorywager' }),
 *   target: createStore(s3Config), journal: fileJournal('.factorywager/.sync/r2.jsonl') });
 * console.log(`${report.sent.length} sent, ${report.unchanged} unchanged`);
 */
export async function syncUpload(options: SyncOptions): Promise<SyncUploadReport> {
  const targets = targetsOf(options.target);
  const journal = options.journal ?? memoryJournal();
  const dryRun = options.dryRun === true;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const progress: SyncProgress = { phase: 'scan', done: 0, total: 0, bytesDone: 0, bytesTotal: 0 };
  const emit = () => options.onProgress?.({ ...progress });

  const [local, remote, known] = await Promise.all([
    scanSource(options, () => { progress.done++; if (progress.done % 100 === 0) emit(); }),
    scanTargets(targets, options),
    journal.load(),
  ]);
  const report: SyncUploadReport = { dryRun, objects: local.length, sent: [], bytesSent: 0, unchanged: 0, conflicts: [], refused: [], heldBack: [] };
  const work = local.filter((o) => {
    if (remote.has(o.key) && known.get(o.key) === o.hash) { report.unchanged++; return false; }
    return true;
  });
  Object.assign(progress, { done: 0, total: work.length, bytesTotal: work.reduce((n, o) => n + o.size, 0) });
  const failedPackages = new Set<string>();
  const settle = (o: LocalObject) => { progress.done++; progress.bytesDone += o.size; emit(); };

  const copy = async (o: SyncEntry & LocalObject) => {
    const store = storeFor(targets, o);
    let body: Uint8Array | null | undefined;
    const read = async () => (body === undefined ? (body = (await options.source.get(o.key))?.body ?? null) : body);
    if (o.kind === 'secret') {
      const bytes = await read();
      if (!bytes || !mayTravel(o.key, bytes)) { report.refused.push(o.key); return settle(o); }
    }
    const there: ObjectInfo | null = remote.has(o.key) ? await store.head(o.key) : null;
    if (there && (await sameContent(store, there, o, read))) {
      report.unchanged++;
      if (!dryRun) journal.record(o.key, o.hash);
      return settle(o);
    }
    if (there && o.kind === 'tarball') {
      report.conflicts.push({ key: o.key, reason: 'a different tarball is at the target (tarballs are immutable)' });
      failedPackages.add(o.pkg!);
      return settle(o);
    }
    if (dryRun) {
      report.sent.push(o.key);
      report.bytesSent += o.size;
      return settle(o);
    }
    const bytes = await read();
    if (!bytes) return settle(o); // deleted locally since the scan
    const put: PutOptions = {
      metadata: { [HASH_META]: o.hash },
      ...(o.contentType ? { contentType: o.contentType } : {}),
      ...(there ? { ifMatch: there.etag } : { ifNoneMatch: '*' as const }),
    };
    try {
      await store.put(o.key, bytes, put);
    } catch (err) {
      if (!isStoreError(err, 'PRECONDITION_FAILED')) throw err;
      const now = await store.head(o.key);
      if (now && (await sameContent(store, now, o, read))) {
        report.unchanged++;
        journal.record(o.key, o.hash);
        return settle(o);
      }
      report.conflicts.push({ key: o.key, reason: 'the target changed while copying; run again' });
      if (o.pkg) failedPackages.add(o.pkg);
      return settle(o);
    }
    journal.record(o.key, o.hash);
    report.sent.push(o.key);
    report.bytesSent += o.size;
    settle(o);
  };

  const phaseNames = ['tarballs', 'files', 'manifests'] as const;
  try {
    for (const [i, kinds] of PHASES.entries()) {
      progress.phase = phaseNames[i]!;
      let batch = work.filter((o) => kinds.includes(o.kind));
      if (kinds.includes('manifest')) {
        const held = batch.filter((o) => failedPackages.has(o.pkg!));
        report.heldBack.push(...held.map((o) => o.key));
        held.forEach(settle);
        batch = batch.filter((o) => !failedPackages.has(o.pkg!));
      }
      await pool(batch, concurrency, copy);
    }
  } catch (err) {
    await journal.close();
    const what = err instanceof Error ? err.message : String(err);
    throw new SyncError('UPLOAD_FAILED', `sync stopped after ${report.sent.length} of ${work.length} objects: ${what}; what arrived is recorded, run again to resume`, { cause: err });
  }
  await journal.close();
  return report;
}
