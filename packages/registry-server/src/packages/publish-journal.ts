import { isStoreError, keys, type Store } from '@factorywager/r2-store';
import { RegistryError } from '../errors.ts';
import { sha512Integrity } from '../_crypto.ts';
import { tarballFile } from '../_names.ts';
import { readHistory, appendHistory, type VersionRecord } from './history.ts';
import type { Packument } from './packument.ts';

/** Who runs a publish: liveness of a journal entry's writer is judged from this. */
export interface PublishOwner {
  /** Random id of this server instance. */
  instance: string;
  host?: string;
  pid?: number;
  /** True when the writer of `entry` may still be at work (so its publish must not be taken over). */
  alive(entry: JournalEntry, inflight: ReadonlySet<string>): boolean;
}

/** A publish in progress, at `journal/publish/{name}/{version}.json` from before its tarball is written. */
export interface JournalEntry {
  name: string;
  version: string;
  integrity: string;
  instance: string;
  host?: string;
  pid?: number;
  started: string;
  /** What the version record and the history event will say once the manifest holds the version. */
  record: VersionRecord;
  before: Record<string, string>;
}

/** A writer on another host (or a runtime without pids) is presumed alive this long. */
export const FOREIGN_PUBLISH_MS = 5 * 60_000;

/** The key of a publish's journal entry. */
export const journalKey = (name: string, version: string) => `journal/publish/${name}/${version}.json`;
const JOURNAL_PREFIX = 'journal/publish/';

/**
 * An owner for runtimes without process ids (Workers, tests): this instance's publishes are alive
 * while in flight; anyone else's for {@link FOREIGN_PUBLISH_MS}.
 * @example
 * const owner = defaultOwner(() => Date.now());
 */
export function defaultOwner(now: () => number): PublishOwner {
  const instance = crypto.randomUUID();
  return {
    instance,
    alive: (entry, inflight) => entry.instance === instance
      ? inflight.has(journalKey(entry.name, entry.version))
      : now() - Date.parse(entry.started) < FOREIGN_PUBLISH_MS,
  };
}

/**
 * Claims the journal entry of `name@version` for this publish. An entry of a writer that is gone
 * (a killed server) is taken over at once; one of a live writer is a CONFLICT.
 */
export async function claimJournal(store: Store, entry: JournalEntry, owner: PublishOwner, inflight: ReadonlySet<string>): Promise<void> {
  const key = journalKey(entry.name, entry.version);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await store.putJson(key, entry, { ifNoneMatch: '*' });
      return;
    } catch (err) {
      if (!isStoreError(err, 'PRECONDITION_FAILED')) throw err;
    }
    const held = await store.getJsonWithEtag<JournalEntry>(key);
    if (!held) continue;
    if (owner.alive(held.value, inflight)) throw new RegistryError('CONFLICT', `a publish of ${entry.name}@${entry.version} is in progress`);
    try {
      await store.putJson(key, entry, { ifMatch: held.etag });
      return;
    } catch (err) {
      if (!isStoreError(err, 'PRECONDITION_FAILED')) throw err;
    }
  }
  throw new RegistryError('CONFLICT', `a publish of ${entry.name}@${entry.version} is in progress`);
}

/** Writes the version record and the history event of a committed version, where missing. */
export async function completePublish(store: Store, entry: JournalEntry, after: Record<string, string>, checkFirst: boolean): Promise<string[]> {
  const { name, version, record } = entry;
  // Two objects of their own: written side by side.
  const [recordWritten, eventWritten] = await Promise.all([
    (async () => {
      if (checkFirst && (await store.head(keys.versionRecord(name, version)))) return false;
      await store.putJson(keys.versionRecord(name, version), record);
      return true;
    })(),
    (async () => {
      const seen = checkFirst ? await readHistory(store, name, { type: 'publish' }) : null;
      if (seen?.events.some((e) => e.version === version)) return false;
      await appendHistory(store, name, [{ type: 'publish', actor: record.publisher, time: record.time, version, before: entry.before, after }]);
      return true;
    })(),
  ]);
  return [...(recordWritten ? ['version record'] : []), ...(eventWritten ? ['history event'] : [])];
}

/** What the journal repair (`RegistryHandler.repair()`) did for one publish. */
export interface RepairNote {
  name: string;
  version: string;
  /** `completed`: the manifest held the version; `abandoned`: it did not (its orphan tarball removed). */
  outcome: 'completed' | 'abandoned';
  wrote: string[];
}

/**
 * Every journal entry whose writer is gone is finished: a version the manifest holds gets its
 * missing version record and history event; a publish that never reached the manifest has its
 * orphan tarball deleted (when it holds that publish's bytes). Entries of live writers are left, and
 * so are those of this process's publishes in `inflight`. Each entry is taken over first (rewritten,
 * If-Match, naming this instance), so a publish that takes it over at the same time, or another
 * repair, makes this one leave it; while it is repaired it is in `inflight`, and a new publish of
 * that version is refused as in progress. Run on start and then now and again by the server.
 * @example
 * for (const note of await repairJournal(store, owner)) console.error(`repaired ${note.name}@${note.version}`);
 */
export async function repairJournal(store: Store, owner: PublishOwner, inflight: Set<string> = new Set(), now: () => Date = () => new Date()): Promise<RepairNote[]> {
  const notes: RepairNote[] = [];
  let cursor: string | undefined;
  const found: string[] = [];
  do {
    const page = await store.list({ prefix: JOURNAL_PREFIX, ...(cursor ? { cursor } : {}) });
    found.push(...page.keys);
    cursor = page.cursor;
  } while (cursor);
  for (const key of found) {
    if (inflight.has(key)) continue;
    const held = await store.getJsonWithEtag<JournalEntry>(key);
    const entry = held?.value;
    if (!entry || owner.alive(entry, inflight)) continue;
    const mine: JournalEntry = {
      ...entry, instance: owner.instance, started: now().toISOString(),
      ...(owner.host ? { host: owner.host } : {}), ...(owner.pid ? { pid: owner.pid } : {}),
    };
    inflight.add(key);
    try {
      try {
        await store.putJson(key, mine, { ifMatch: held!.etag });
      } catch (err) {
        if (isStoreError(err, 'PRECONDITION_FAILED')) continue; // taken over meanwhile: theirs now
        throw err;
      }
      const doc = await store.getJson<Packument>(keys.manifest(entry.name));
      const manifest = doc?.versions[entry.version];
      if (manifest && manifest.dist.integrity === entry.integrity) {
        const wrote = await completePublish(store, entry, { ...doc!['dist-tags'] }, true);
        notes.push({ name: entry.name, version: entry.version, outcome: 'completed', wrote });
      } else if (!manifest) {
        const tarKey = keys.tarball(entry.name, tarballFile(entry.name, entry.version));
        const orphan = await store.get(tarKey);
        const wrote: string[] = [];
        if (orphan && (await sha512Integrity(orphan.body)) === entry.integrity) {
          await store.delete(tarKey);
          wrote.push('orphan tarball removed');
        }
        notes.push({ name: entry.name, version: entry.version, outcome: 'abandoned', wrote });
      }
      await store.delete(key);
    } finally {
      inflight.delete(key);
    }
  }
  return notes;
}
