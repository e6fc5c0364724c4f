import type { Packument } from './packument.ts';
import { maintainersOf } from './maintainers.ts';
import { starredBy } from './owners.ts';

/**
 * One package in the package index: what the list, the search and the dependents of a package need,
 * taken from its packument (the `latest` version's fields). Unpublished packages stay as tombstones
 * (`unpublished` set) so a rebuild that read an older manifest cannot bring them back.
 */
export interface IndexEntry {
  name: string;
  /** The manifest's revision number (`_rev`'s prefix), or an uplink copy's fetch time: newer wins. */
  rev: number;
  version: string;
  versions: number;
  modified: string;
  /** Publish time of `version`. */
  date?: string;
  description?: string;
  keywords?: string[];
  license?: string;
  publisher?: string;
  maintainers?: string[];
  deprecated?: string;
  /** Names `version` depends on (dependencies, optional and peer). */
  dependencies?: string[];
  /** Set when the package is an uplink's cached copy, not published here: the uplink's name. */
  uplink?: string;
  /** Set when every version was unpublished. */
  unpublished?: string;
  /** Bytes of the stored tarballs of the live versions (the stats). */
  bytes?: number;
  /** Users who starred the package (`npm star`). */
  stars?: string[];
}

const revNumber = (rev: unknown) => (typeof rev === 'string' ? Number.parseInt(rev, 10) || 0 : 0);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The index entry of a packument (a local one, or an uplink's cached copy with `uplink` and its
 * fetch time as `rev`).
 * @example
 * entryOf(doc).version; // what latest points at
 * entryOf(upstreamDoc, { uplink: 'npmjs', rev: fetchedAt }).uplink; // 'npmjs'
 */
export function entryOf(doc: Packument, from: { uplink: string; rev: number } | null = null): IndexEntry {
  const versions = Object.keys(doc.versions ?? {});
  const rev = from ? from.rev : revNumber(doc._rev);
  const modified = String(doc.time?.modified ?? '');
  if (versions.length === 0) {
    const unpublished = (doc.time?.unpublished as { time?: string } | undefined)?.time ?? modified;
    return { name: doc.name, rev, version: '', versions: 0, modified, unpublished: String(unpublished) };
  }
  const latest = doc['dist-tags']?.latest && doc.versions[doc['dist-tags'].latest] ? doc['dist-tags'].latest : versions[versions.length - 1]!;
  const m = doc.versions[latest]!;
  const entry: IndexEntry = { name: doc.name, rev, version: latest, versions: versions.length, modified };
  const date = str(doc.time?.[latest]);
  if (date) entry.date = date;
  const description = str(m.description) ?? str(doc.description);
  if (description) entry.description = description.slice(0, 1000);
  if (Array.isArray(m.keywords)) entry.keywords = m.keywords.filter((k): k is string => typeof k === 'string').slice(0, 50);
  const license = str(m.license) ?? str((m.license as { type?: unknown } | undefined)?.type);
  if (license) entry.license = license;
  const publisher = str((m._npmUser as { name?: unknown } | undefined)?.name);
  if (publisher) entry.publisher = publisher;
  const maintainers = maintainersOf(doc).map((p) => p.name);
  if (maintainers.length) entry.maintainers = maintainers;
  const bytes = versions.reduce((n, v) => n + (Number(doc._fw?.sizes?.[v]) || 0), 0);
  if (bytes) entry.bytes = bytes;
  const stars = typeof doc.users === 'object' && doc.users !== null ? Object.keys(doc.users).filter((u) => starredBy(doc, u)).sort() : [];
  if (stars.length) entry.stars = stars;
  if (str(m.deprecated)) entry.deprecated = m.deprecated;
  const deps = new Set<string>();
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    const o = m[field];
    if (o && typeof o === 'object') for (const d of Object.keys(o)) deps.add(d);
  }
  if (deps.size) entry.dependencies = [...deps].sort();
  if (from) entry.uplink = from.uplink;
  return entry;
}

/**
 * Whether `incoming` should replace `current` in the index: a local package always beats an uplink's
 * copy, an uplink's copy never replaces a live local package, otherwise the newer revision wins (ties
 * go to the incoming entry, which was derived from what was just written).
 * @example
 * supersedes(entryOf(next), current); // true for the manifest just written
 */
export function supersedes(incoming: IndexEntry, current: IndexEntry | undefined): boolean {
  if (!current) return true;
  if (!incoming.uplink && current.uplink) return true;
  if (incoming.uplink && !current.uplink) return current.unpublished !== undefined;
  return incoming.rev >= current.rev;
}
