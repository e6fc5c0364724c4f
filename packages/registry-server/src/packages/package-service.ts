import semver from 'semver';
import { isStoreError, keys, type Store } from '@factorywager/r2-store';
import { RegistryError } from '../errors.ts';
import { isPlainObject } from '../_http.ts';
import { randomHex } from '../_crypto.ts';
import { tarballFile, versionOfTarball } from '../_names.ts';
import { nearestVersions } from '@factorywager/semver-graph';
import { appendHistory, type HistoryEvent } from './history.ts';
import { writeGraphFile } from './graph-file.ts';
import { PackumentCache } from './packument-cache.ts';
import { isLive, type Packument } from './packument.ts';
import { maintainersOf, type Maintainer } from './maintainers.ts';
import type { PreparedPublish } from './publish-request.ts';
import { DEFAULT_METADATA_LIMITS, deprecationOf, type MetadataLimits } from './manifest-fields.ts';
import { claimJournal, completePublish, defaultOwner, journalKey, repairJournal, type JournalEntry, type PublishOwner, type RepairNote } from './publish-journal.ts';
import type { PackageIndex } from './package-index.ts';
import { ManifestCommits } from './manifest-commits.ts';

/** Options of {@link PackageService.rollback}. */
export interface RollbackOptions {
  reason?: string;
  /** Allow a deprecated target. */
  force?: boolean;
  /** Check-and-set: the version the caller saw the tag on (null: the tag did not exist). */
  from?: string | null;
}

/** What {@link PackageService.rollback} did. */
export interface RollbackResult {
  changed: boolean;
  tag: string;
  from: string | null;
  to: string;
  distTags: Record<string, string>;
  /** The event recorded (absent when nothing changed). */
  event?: HistoryEvent;
}

const nextRev = (rev: string | undefined) => `${(Number.parseInt(rev ?? '0', 10) || 0) + 1}-${randomHex(16)}`;
const TARBALL_PUT = { contentType: 'application/octet-stream' };

/** Refuses a version the document lists, or once listed (an unpublished version is never reused). */
function assertVersionFree(doc: Packument | null | undefined, name: string, version: string): void {
  if (doc?.versions[version] || doc?.time[version]) throw versionExists(name, version);
}

/**
 * Every change to a package: tarballs written (If-None-Match: *) before the manifest references
 * them, the manifest changed only through `updateJson`, history appended after each change.
 * @example
 * const service = new PackageService(store, () => new Date());
 * await service.publish('pkg', prepared, 'ana');
 */
export class PackageService {
  readonly cache: PackumentCache;
  /** Caps on dist-tags and deprecation messages. */
  metadata: MetadataLimits = DEFAULT_METADATA_LIMITS;
  /** Judges whether the writer of a publish journal entry is still at work (server.ts gives pids). */
  owner: PublishOwner;
  private readonly inflight = new Set<string>();
  private readonly afterAnswer = new Set<Promise<void>>();
  private readonly afterAnswerOf = new Map<string, Set<Promise<void>>>();
  /** Manifest writes, grouped per package; `commits.share` false on Workers. */
  readonly commits: ManifestCommits;
  /** With `index`, every manifest written is recorded in the package index too. */
  constructor(readonly store: Store, private readonly now: () => Date, revalidateMs = 0, publicUrl?: string, readonly index?: PackageIndex) {
    this.cache = new PackumentCache(store, revalidateMs, () => now().getTime(), publicUrl);
    if (index) index.waitFor = () => this.pending();
    this.owner = defaultOwner(() => now().getTime());
    this.commits = new ManifestCommits(store, {
      current: (name) => this.cache.read(name),
      written: (name, doc, etag) => this.cache.set(name, doc, etag),
      derive: async (_name, doc) => {
        if (doc) await this.index?.recordQuietly(doc);
      },
      // A failure here loses nothing (the graph route rebuilds a missing or older file), and must
      // not fail a change that is already stored.
      background: (name, doc) => writeGraphFile(this.store, name, doc).catch(() => {}),
    });
  }

  /** Resolves once what is written after answering (graph.json, done journal entries) is written for every change so far. */
  async settled(): Promise<void> {
    while (this.afterAnswer.size) await Promise.all([...this.afterAnswer]);
    await this.commits.settled();
  }

  private later(work: Promise<unknown>): void {
    const tracked = work.then(() => {}, () => {}).finally(() => this.afterAnswer.delete(tracked));
    this.afterAnswer.add(tracked);
  }

  /** Tracks the writes of a publish of `name` made after its answer, for {@link written} and {@link pending}. */
  private publishedLater(name: string, work: Promise<unknown>): void {
    const tracked: Promise<void> = work.then(() => {}, () => {}).finally(() => {
      const of = this.afterAnswerOf.get(name);
      of?.delete(tracked);
      if (of?.size === 0) this.afterAnswerOf.delete(name);
    });
    const of = this.afterAnswerOf.get(name) ?? new Set();
    of.add(tracked);
    this.afterAnswerOf.set(name, of);
  }

  /** Like {@link written}, for every package: undefined when nothing is pending (the index's views wait for it). */
  pending(): Promise<void> | undefined {
    if (this.afterAnswerOf.size === 0) return undefined;
    return Promise.all([...this.afterAnswerOf.values()].flatMap((of) => [...of])).then(() => {});
  }

  /**
   * Resolves once what this process had still to write after answering for `name` when called (the
   * version records, history events and index entries of its publishes) is written: read after it.
   * Resolves at once when nothing is pending, as it always is on Workers.
   */
  async written(name: string): Promise<void> {
    const of = this.afterAnswerOf.get(name);
    if (of?.size) await Promise.all([...of]); // those pending now: a reader never waits for later publishes
  }

  /**
   * Finishes publishes left by writers that are gone (see {@link repairJournal}); run on start. The
   * index entry of a package with a completed publish is recorded again from its manifest: the writer
   * may have died before its index write.
   */
  async repair(): Promise<RepairNote[]> {
    const notes = await repairJournal(this.store, this.owner, this.inflight, this.now);
    for (const name of new Set(notes.filter((n) => n.outcome === 'completed').map((n) => n.name))) {
      const doc = await this.store.getJson<Packument>(keys.manifest(name));
      if (doc) await this.index?.recordQuietly(doc);
    }
    return notes;
  }

  /**
   * Changes the manifest through check-and-set and keeps the cache current (also for the owner and
   * star changes). Changes of one package queued behind a write in flight go out together in the
   * next write ({@link ManifestCommits}); the index entry and graph.json follow each write.
   */
  async update(name: string, fn: (doc: Packument | null) => Packument | undefined, known?: { doc: Packument; etag: string } | null): Promise<Packument | null> {
    // The cached document stands in for a read and parse of the manifest while its etag is the stored one.
    const result = await this.commits.commit(name, fn, known);
    await result.derived;
    return result.value;
  }

  /**
   * Writes a checked version: a journal entry and the tarball side by side, the manifest (the
   * commit), then the version record, the history event and the index entry (after the answer, where
   * writes are shared), then the journal entry goes. A server killed in between leaves the
   * entry, and {@link repair} finishes the publish (or removes its orphan tarball) on the next start.
   * The first publisher (`who`, with the e-mail of its user record) becomes the maintainer;
   * maintainers of a fully unpublished package stay.
   */
  async publish(name: string, p: PreparedPublish, actor: string, who: Maintainer = { name: actor }): Promise<Packument> {
    // Behind a write of the package in flight, its outcome stands in for a read (which would race with it).
    const latest = this.commits.latest(name);
    const cached = latest !== undefined ? latest : await this.cache.read(name);
    assertVersionFree(cached?.doc, name, p.version);
    const time = this.now().toISOString();
    const entry: JournalEntry = {
      name, version: p.version, integrity: p.manifest.dist.integrity, instance: this.owner.instance,
      ...(this.owner.host ? { host: this.owner.host } : {}), ...(this.owner.pid ? { pid: this.owner.pid } : {}),
      started: time, before: {},
      record: {
        name, version: p.version, publisher: actor, time, integrity: p.manifest.dist.integrity, shasum: p.manifest.dist.shasum, size: p.tarball.byteLength,
        ...(p.readme !== undefined ? { readme: p.readme } : {}),
        ...(p.readmeFilename !== undefined ? { readmeFilename: p.readmeFilename } : {}),
      },
    };
    const key = journalKey(name, p.version);
    // The journal entry and the tarball are written side by side (with a journal entry first, a
    // publish waited for two durable writes before its manifest write). The entry stays the lock:
    // the tarball goes out only where none lies (If-None-Match), and a tarball that is not this
    // publish's (written by one whose claim failed, or left by a crash before its entry) is replaced
    // by the claim holder, after it checked that the manifest lacks the version. A tarball is only
    // ever served for a version its manifest lists, so one left behind is never seen.
    // A second publish of this version in this process is refused at once: while the first is in
    // flight its entry may already be in the store but not yet known as ours, and would look dead.
    if (this.inflight.has(key)) throw new RegistryError('CONFLICT', `a publish of ${name}@${p.version} is in progress`);
    this.inflight.add(key);
    const firstPut = this.store.put(keys.tarball(name, p.file), p.tarball, { ...TARBALL_PUT, ifNoneMatch: '*' })
      .then(() => true, (err) => (isStoreError(err, 'PRECONDITION_FAILED') ? false : Promise.reject(err)));
    firstPut.catch(() => {}); // awaited below; a failure before the claim settles must not go unhandled
    try {
      // No other publish of this version is in flight here (checked above): an entry of this
      // process in the store is one a failed publish left, so it is judged with nothing in flight.
      await claimJournal(this.store, entry, this.owner, new Set());
    } catch (err) {
      this.inflight.delete(key);
      await firstPut.catch(() => {});
      throw err;
    }
    const forget = () => this.store.delete(key).catch(() => {}).finally(() => this.inflight.delete(key));
    let committed = false;
    let done = false;
    let handedOff = false;
    try {
      if (!(await firstPut)) await this.replaceTarball(name, p);
      let before: Record<string, string> = {};
      let after: Record<string, string> = {};
      const { value: doc, derived } = await this.commits.commit(name, (current) => {
        assertVersionFree(current, name, p.version);
        before = { ...(current?.['dist-tags'] ?? {}) };
        // A copy of the parts that change (the current document may be the cache's and is never
        // changed in place): versions and time gain a key, the rest is replaced.
        const next: Packument = current
          ? {
            ...current, 'dist-tags': { ...current['dist-tags'] }, versions: { ...current.versions }, time: { ...current.time },
            ...(current._fw ? { _fw: { ...current._fw, ...(current._fw.rollbacks ? { rollbacks: { ...current._fw.rollbacks } } : {}) } } : {}),
          }
          : { _id: name, _rev: '', name, 'dist-tags': {}, versions: {}, time: { created: time }, maintainers: [] };
        const maintainers = maintainersOf(current);
        next.maintainers = maintainers.length ? maintainers : [who];
        delete next.time.unpublished;
        next._rev = nextRev(current?._rev);
        // As npmjs does: the version keeps the maintainers at its publish (pnpm view reads them there).
        next.versions[p.version] = { ...p.manifest, _npmUser: who, maintainers: next.maintainers };
        next.time[p.version] = time;
        next.time.modified = time;
        Object.assign(next['dist-tags'], p.tags);
        if (next['dist-tags'].latest === undefined) next['dist-tags'].latest = p.version;
        forgetRollback(next, Object.keys(next['dist-tags']).filter((t) => next['dist-tags'][t] !== before[t]));
        this.assertTagCount(name, next);
        if (next['dist-tags'].latest === p.version) {
          if (p.description !== undefined) next.description = p.description;
          if (p.readme !== undefined) next.readme = p.readme;
          if (p.readmeFilename !== undefined) next.readmeFilename = p.readmeFilename;
        }
        next._fw = { ...next._fw, sizes: { ...next._fw?.sizes, [p.version]: p.tarball.byteLength } };
        after = { ...next['dist-tags'] };
        return next;
      }, cached);
      committed = true;
      // The version record and the history event are written beside the index entry.
      const rest = Promise.all([completePublish(this.store, { ...entry, before }, after, false), derived]);
      if (this.commits.share) {
        // The manifest is the commit: the answer goes now, and the journal entry stays until the
        // record, the event and the index entry are written, so a crash in between leaves them to
        // the repair. Readers in this process wait for them ({@link written}); on Workers (no
        // `share`) they are written before the answer.
        this.publishedLater(name, rest);
        this.later(rest.then(forget, () => this.inflight.delete(key)));
        handedOff = true;
        return doc!;
      }
      await rest;
      done = true;
      return doc!;
    } finally {
      // Committed but the record or the event failed: the entry stays for the repair.
      if (handedOff) { /* the rest goes on after the answer */ }
      else if (done || !committed) await forget();
      else this.inflight.delete(key);
    }
  }

  /**
   * Writes this publish's tarball where one already lies, for a publish that holds the journal
   * entry: when the manifest lacks the version, what lies there was left by a publish that died
   * before its manifest write or whose claim failed (same bytes or not), so it is replaced.
   */
  private async replaceTarball(name: string, p: PreparedPublish): Promise<void> {
    const key = keys.tarball(name, p.file);
    for (let attempt = 0; attempt < 5; attempt++) {
      const old = await this.store.head(key);
      if (old) {
        const doc = await this.store.getJson<Packument>(keys.manifest(name));
        assertVersionFree(doc, name, p.version);
      }
      try {
        await this.store.put(key, p.tarball, old ? { ...TARBALL_PUT, ifMatch: old.etag } : { ...TARBALL_PUT, ifNoneMatch: '*' });
        return;
      } catch (err) {
        if (!isStoreError(err, 'PRECONDITION_FAILED')) throw err; // changed since the head: look again
      }
    }
    throw new RegistryError('CONFLICT', `the tarball of ${name}@${p.version} keeps changing: try again`);
  }

  private assertTagCount(name: string, doc: Packument): void {
    if (Object.keys(doc['dist-tags']).length > this.metadata.maxDistTags) {
      throw new RegistryError('BAD_REQUEST', `${name} would have more than ${this.metadata.maxDistTags} dist-tags: remove some first`);
    }
  }

  /**
   * A whole-packument PUT: only `deprecated` fields change. With `rev` (npm's one-version unpublish),
   * versions missing from the body are unpublished; without it, a body that drops a version is refused.
   */
  async updateVersions(name: string, body: Record<string, unknown>, actor: string, rev?: string): Promise<Packument> {
    if (!isPlainObject(body.versions)) throw new RegistryError('BAD_REQUEST', 'body has no versions object');
    const incoming = body.versions;
    const time = this.now().toISOString();
    let events: HistoryEvent[] = [];
    let removed: string[] = [];
    await this.update(name, (current) => {
      events = [];
      if (!isLive(current)) throw notFound(name);
      if (rev !== undefined && rev !== current._rev) throw staleRev(name);
      // Own keys only: a `__proto__` or `constructor` key must never reach Object.prototype.
      const unknown = Object.keys(incoming).filter((v) => !Object.hasOwn(current.versions, v));
      if (unknown.length) throw new RegistryError('BAD_REQUEST', `unknown version ${unknown[0]!.slice(0, 50)}: publish it with its tarball`);
      removed = Object.keys(current.versions).filter((v) => !Object.hasOwn(incoming, v));
      if (removed.length && rev === undefined) {
        throw new RegistryError('BAD_REQUEST', `this change would drop version(s) ${removed.join(', ')}; use unpublish`);
      }
      if (removed.length === Object.keys(current.versions).length) {
        throw new RegistryError('BAD_REQUEST', 'this change would drop every version; unpublish the package instead');
      }
      const next = structuredClone(current);
      for (const v of Object.keys(incoming)) {
        const manifest = incoming[v];
        // a version that is not an object would read as "no deprecation" and clear it
        if (!isPlainObject(manifest)) throw new RegistryError('BAD_REQUEST', `versions.${v.slice(0, 50)} must be an object`);
        const msg = deprecationOf(manifest.deprecated, `versions.${v.slice(0, 50)}`, this.metadata);
        const old = current.versions[v]!.deprecated ?? null;
        const now = msg ? msg : null;
        if (old === now) continue;
        if (now === null) delete next.versions[v]!.deprecated;
        else next.versions[v]!.deprecated = now;
        events.push({ type: 'deprecate', actor, time, version: v, before: old, after: now });
      }
      for (const v of removed) {
        delete next.versions[v];
        if (next._fw?.sizes) delete next._fw.sizes[v];
        events.push({ type: 'unpublish', actor, time, version: v, before: current.versions[v]!.dist, after: null });
      }
      if (removed.length) fixTags(next);
      if (events.length === 0) return undefined;
      next._rev = nextRev(current._rev);
      next.time.modified = time;
      return next;
    });
    await Promise.all(removed.map((v) => this.store.delete(keys.tarball(name, tarballFile(name, v)))));
    await appendHistory(this.store, name, events);
    return (await this.cache.read(name))!.doc;
  }

  /** `DELETE /:pkg/-rev/:rev`: every version goes; `time` stays so no version can be published again. */
  async unpublishPackage(name: string, rev: string, actor: string): Promise<void> {
    const time = this.now().toISOString();
    let gone: string[] = [];
    let tagsBefore: Record<string, string> = {};
    await this.update(name, (current) => {
      if (!isLive(current)) throw notFound(name);
      if (rev !== current._rev) throw staleRev(name);
      gone = Object.keys(current.versions);
      tagsBefore = current['dist-tags'];
      // Maintainers stay, so only they can publish the name again.
      return {
        _id: name, _rev: nextRev(current._rev), name, 'dist-tags': {}, versions: {},
        time: { ...current.time, modified: time, unpublished: { time, versions: gone } },
        maintainers: maintainersOf(current),
        ...(current.users ? { users: current.users } : {}),
      };
    });
    await Promise.all(gone.map((v) => this.store.delete(keys.tarball(name, tarballFile(name, v)))));
    await appendHistory(this.store, name, [{ type: 'unpublish', actor, time, before: { versions: gone, 'dist-tags': tagsBefore }, after: null }]);
  }

  /** Second half of npm's one-version unpublish: the tarball of a version no longer in the manifest. */
  async deleteTarball(name: string, file: string): Promise<void> {
    const version = versionOfTarball(name, file);
    if (!version) throw new RegistryError('NOT_FOUND', `no tarball ${file} in ${name}`);
    const doc = (await this.cache.read(name))?.doc;
    if (!doc || !doc.time[version]) throw new RegistryError('NOT_FOUND', `no tarball ${file} in ${name}`);
    if (doc.versions[version]) throw new RegistryError('CONFLICT', `${name}@${version} is still published; unpublish it first`);
    await this.store.delete(keys.tarball(name, file));
  }

  /** Points a dist-tag at an existing version (`npm dist-tag add`); history records a `tag` event. */
  async setTag(name: string, tag: string, version: string, actor: string): Promise<Record<string, string>> {
    const time = this.now().toISOString();
    let before: string | null = null;
    let changed = false;
    const doc = await this.update(name, (current) => {
      if (!isLive(current)) throw notFound(name);
      if (!Object.hasOwn(current.versions, version)) throw new RegistryError('NOT_FOUND', `${name}@${version} does not exist`);
      before = tagOf(current, tag);
      changed = before !== version;
      if (!changed) return undefined;
      const next = structuredClone(current);
      next['dist-tags'][tag] = version;
      forgetRollback(next, [tag]);
      this.assertTagCount(name, next);
      next._rev = nextRev(current._rev);
      next.time.modified = time;
      return next;
    });
    if (changed) await appendHistory(this.store, name, [{ type: 'tag', actor, time, tag, version, before, after: version }]);
    return doc!['dist-tags'];
  }

  /**
   * Moves a dist-tag back or forward to an existing version and records a `rollback` event with
   * `from`, `to`, `tag`, `actor`, `time` and the reason. A deprecated target needs `force`; with
   * `from`, the tag must still point there (check-and-set against what the caller saw). A tag
   * already on the version changes nothing and records nothing (`changed: false`).
   */
  async rollback(name: string, tag: string, version: string, actor: string, options: RollbackOptions = {}): Promise<RollbackResult> {
    const time = this.now().toISOString();
    let before: string | null = null;
    let changed = false;
    const doc = await this.update(name, (current) => {
      if (!isLive(current)) throw notFound(name);
      if (!Object.hasOwn(current.versions, version)) {
        const near = nearestVersions(Object.keys(current.versions), version);
        throw new RegistryError('NOT_FOUND', `${name}@${version} does not exist (${near.length ? `nearest: ${near.join(', ')}` : 'no versions'})`);
      }
      const deprecated = current.versions[version]!.deprecated;
      if (deprecated && !options.force) {
        throw new RegistryError('BAD_REQUEST', `${name}@${version} is deprecated (${deprecated.slice(0, 200)}); force to roll back to it anyway`);
      }
      before = tagOf(current, tag);
      if (options.from !== undefined && options.from !== before) {
        throw new RegistryError('CONFLICT', `${tag} of ${name} points at ${before ?? 'nothing'} now, not ${options.from ?? 'nothing'}; look again`);
      }
      changed = before !== version;
      if (!changed) return undefined;
      const next = structuredClone(current);
      next['dist-tags'][tag] = version;
      next._fw = { ...next._fw, rollbacks: { ...next._fw?.rollbacks, [tag]: { from: before, to: version } } };
      this.assertTagCount(name, next);
      next._rev = nextRev(current._rev);
      next.time.modified = time;
      return next;
    });
    let event: HistoryEvent | undefined;
    if (changed) {
      event = { type: 'rollback', actor, time, tag, version, from: before, to: version, ...(options.reason ? { reason: options.reason } : {}), before, after: version };
      await appendHistory(this.store, name, [event]);
    }
    return { changed, tag, from: before, to: version, distTags: doc!['dist-tags'], ...(event ? { event } : {}) };
  }

  /** Removes a dist-tag (never `latest`). */
  async removeTag(name: string, tag: string, actor: string): Promise<Record<string, string>> {
    if (tag === 'latest') throw new RegistryError('BAD_REQUEST', 'the latest tag cannot be removed');
    const time = this.now().toISOString();
    let before: string | null = null;
    const doc = await this.update(name, (current) => {
      if (!isLive(current)) throw notFound(name);
      before = tagOf(current, tag);
      if (before === null) throw new RegistryError('NOT_FOUND', `${name} has no dist-tag ${tag}`);
      const next = structuredClone(current);
      delete next['dist-tags'][tag];
      forgetRollback(next, [tag]);
      next._rev = nextRev(current._rev);
      next.time.modified = time;
      return next;
    });
    await appendHistory(this.store, name, [{ type: 'untag', actor, time, tag, before, after: null }]);
    return doc!['dist-tags'];
  }
}

/** The version a tag points at (own keys only: `constructor` is a tag name like any other). */
const tagOf = (doc: Packument, tag: string): string | null => (Object.hasOwn(doc['dist-tags'], tag) ? doc['dist-tags'][tag]! : null);

/** A tag moved by anything but a rollback: the version a rollback replaced is no longer the way back. */
function forgetRollback(doc: Packument, tags: string[]): void {
  const marks = doc._fw?.rollbacks;
  if (!marks) return;
  for (const tag of tags) delete marks[tag];
  if (Object.keys(marks).length === 0) delete doc._fw!.rollbacks;
}

/** After versions went away: drop tags pointing at them; `latest` moves to the highest left. */
function fixTags(doc: Packument): void {
  const tags = doc['dist-tags'];
  for (const [tag, v] of Object.entries(tags)) if (!doc.versions[v]) { delete tags[tag]; forgetRollback(doc, [tag]); }
  if (!tags.latest) {
    const left = Object.keys(doc.versions);
    tags.latest = left.filter((v) => !semver.prerelease(v)).sort(semver.compare).pop() ?? left.sort(semver.compare).pop()!;
  }
}


const versionExists = (name: string, version: string) =>
  new RegistryError('VERSION_EXISTS', `cannot publish over the previously published version ${name}@${version}`);
const notFound = (name: string) => new RegistryError('NOT_FOUND', `package ${name} not found`);
const staleRev = (name: string) => new RegistryError('CONFLICT', `revision of ${name} is out of date; fetch it again`);
