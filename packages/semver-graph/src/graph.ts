import semver, { type SemVer } from 'semver';
import { precedence } from './_order.ts';
import { SemverGraphError } from './errors.ts';
import type { GraphOptions, LinkType, Packument, PackumentVersion, VersionGraph, VersionLink, VersionNode } from './types.ts';

/**
 * Builds the {@link VersionGraph} of an npm packument: one node per version (newest first), each
 * with its status, dist-tags, publish date, publisher, deprecation and release line; links join each
 * version to the next on its line. Lines are lanes: one per major (`3.x`), and one per release that
 * prereleases lead to (`4.0.0-pre`, joined to `4.0.0`); the first version of a major links from the
 * highest version of the major before it.
 *
 * Status: `current` is what `latest` points to; `rollback` is the newest non-deprecated stable version
 * below it (or, with `rolledBackFrom`, the version the last rollback replaced), and any version
 * carrying another dist-tag; `deprecated` has a deprecation message;
 * `archived` is the rest. Statuses are computed on the whole packument before `range`, `since` and
 * `limit` filter the nodes.
 *
 * @example
 * ```ts
 * const graph = buildVersionGraph(packument, { range: '>=4', limit: 20 });
 * graph.current;  // '4.17.21'
 * graph.nodes[0]; // { id: '4.17.21', status: 'current', tags: ['latest'], line: '4.x', ... }
 * graph.links[0]; // { source: '4.17.20', target: '4.17.21', type: 'patch' }
 * ```
 */
export function buildVersionGraph(packument: Packument, options: GraphOptions = {}): VersionGraph {
  if (!packument || typeof packument !== 'object' || typeof packument.name !== 'string') {
    throw new SemverGraphError('INVALID_PACKUMENT', 'invalid packument: expected an object with a "name"');
  }
  const filters = readOptions(options);
  const manifests = packument.versions && typeof packument.versions === 'object' ? packument.versions : {};
  const parsed = new Map<string, SemVer>();
  for (const key of Object.keys(manifests)) {
    // Loose parsing keeps the pre-semver versions of old packages (`1.0.0rc3` ranks as `1.0.0-rc3`).
    const v = semver.parse(key) ?? semver.parse(key, { loose: true });
    if (v) parsed.set(key, v);
  }
  const norm = (id: string) => parsed.get(id)!.version;
  // The versions are parsed already: comparing the parsed objects is semver precedence without
  // parsing again (the corpus test shows it orders exactly as Bun.semver.order does).
  const desc = [...parsed.entries()]
    .sort(([a, va], [b, vb]) => vb.compare(va) || (a < b ? 1 : a > b ? -1 : 0))
    .map(([id]) => id);

  const distTags: Record<string, string> = { ...(packument['dist-tags'] ?? {}) };
  const tagsOf = new Map<string, string[]>();
  for (const [tag, version] of Object.entries(distTags)) {
    if (!parsed.has(version)) continue;
    tagsOf.set(version, [...(tagsOf.get(version) ?? []), tag].sort(tagOrder));
  }
  const current = distTags.latest !== undefined && parsed.has(distTags.latest) ? distTags.latest : null;
  const message = (v: string) => deprecation(manifests[v]);
  let rollback: string | null = null;
  const back = options.rolledBackFrom ?? null;
  if (current !== null && back !== null && back !== current && parsed.has(back) && message(back) === null) {
    // The version a rollback replaced: rolling forward again is the same command.
    rollback = back;
  } else if (current !== null) {
    const at = norm(current);
    rollback = desc.find((v) => precedence(norm(v), at) < 0 && parsed.get(v)!.prerelease.length === 0 && message(v) === null) ?? null;
  }

  const time = packument.time ?? {};
  let kept = desc.map((id): VersionNode => {
    const v = parsed.get(id)!;
    const tags = tagsOf.get(id) ?? [];
    const deprecated = message(id);
    const status =
      id === current ? 'current'
      : deprecated !== null ? 'deprecated'
      : id === rollback || tags.some((t) => t !== 'latest') ? 'rollback'
      : 'archived';
    const prerelease = v.prerelease.length > 0;
    return {
      id,
      status,
      tags,
      publishedAt: isoDate(time[id]),
      publisher: publisherOf(manifests[id], packument),
      deprecated,
      line: prerelease ? `${v.major}.${v.minor}.${v.patch}-pre` : `${v.major}.x`,
      prerelease,
    };
  });
  if (filters.range !== undefined) {
    const range = filters.range;
    kept = kept.filter((n) => semver.satisfies(norm(n.id), range, { includePrerelease: true }));
  }
  if (filters.since !== undefined) {
    const since = filters.since;
    kept = kept.filter((n) => n.publishedAt !== null && Date.parse(n.publishedAt) >= since);
  }
  const total = kept.length;
  if (filters.limit !== undefined) kept = kept.slice(0, filters.limit);

  return {
    name: packument.name,
    current,
    latest: desc[0] ?? null,
    rollback,
    distTags,
    total,
    nodes: kept,
    links: linksOf(kept, parsed),
  };
}

function linksOf(nodes: VersionNode[], parsed: Map<string, SemVer>): VersionLink[] {
  const lanes = new Map<string, string[]>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    const lane = lanes.get(n.line);
    if (lane) lane.push(n.id);
    else lanes.set(n.line, [n.id]);
  }
  // a release by its version without build metadata (`4.0.0` for `4.0.0+sha.1` or a loose `v4.0.0`)
  const releases = new Map<string, string>();
  for (const [line, ids] of lanes) {
    if (line.endsWith('-pre')) continue;
    for (const id of ids) {
      const version = parsed.get(id)!.version;
      if (!releases.has(version)) releases.set(version, id);
    }
  }
  const links: VersionLink[] = [];
  const majors: Array<{ major: number; first: string; last: string }> = [];
  for (const [line, ids] of lanes) {
    const pre = line.endsWith('-pre');
    for (let i = 1; i < ids.length; i++) {
      const source = ids[i - 1]!;
      const target = ids[i]!;
      links.push({ source, target, type: pre ? 'prerelease' : stepType(parsed.get(source)!, parsed.get(target)!) });
    }
    if (pre) {
      const release = releases.get(line.slice(0, -'-pre'.length));
      if (release !== undefined) links.push({ source: ids[ids.length - 1]!, target: release, type: 'prerelease' });
    } else {
      majors.push({ major: parsed.get(ids[0]!)!.major, first: ids[0]!, last: ids[ids.length - 1]! });
    }
  }
  majors.sort((a, b) => a.major - b.major);
  for (let i = 1; i < majors.length; i++) {
    links.push({ source: majors[i - 1]!.last, target: majors[i]!.first, type: 'major' });
  }
  return links;
}

function stepType(a: SemVer, b: SemVer): LinkType {
  if (a.major !== b.major) return 'major';
  if (a.minor !== b.minor) return 'minor';
  return 'patch';
}

/** `latest` first, then the other tags alphabetically. */
function tagOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (a === 'latest') return -1;
  if (b === 'latest') return 1;
  return a < b ? -1 : 1;
}

function deprecation(manifest: PackumentVersion | undefined): string | null {
  const d = manifest?.deprecated;
  if (typeof d === 'string') return d.trim() === '' ? null : d;
  return d === true ? 'deprecated' : null;
}

function publisherOf(manifest: PackumentVersion | undefined, packument: Packument): string | null {
  return manifest?._npmUser?.name ?? manifest?.maintainers?.[0]?.name ?? packument.maintainers?.[0]?.name ?? null;
}

function isoDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * Checks graph options (`range` a semver range, `limit` a positive integer, `since` a date) and
 * returns them parsed; throws SemverGraphError INVALID_RANGE or INVALID_OPTION naming the value.
 * @example
 * validateGraphOptions({ range: '>=2', since: '2024-01-31' }); // { range: '>=2', since: 1706659200000 }
 * validateGraphOptions({ range: '>=garbage' });                 // throws INVALID_RANGE
 */
export function validateGraphOptions(options: GraphOptions): { range?: string; limit?: number; since?: number } {
  return readOptions(options);
}

function readOptions(options: GraphOptions): { range?: string; limit?: number; since?: number } {
  const out: { range?: string; limit?: number; since?: number } = {};
  if (options.range !== undefined && options.range !== '') {
    if (semver.validRange(options.range) === null) {
      throw new SemverGraphError('INVALID_RANGE', `invalid semver range "${options.range}"`, { input: options.range });
    }
    out.range = options.range;
  }
  if (options.limit !== undefined) {
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new SemverGraphError('INVALID_OPTION', `invalid limit ${String(options.limit)}: expected a positive integer`, { input: String(options.limit) });
    }
    out.limit = options.limit;
  }
  if (options.since !== undefined && options.since !== '') {
    const ms = options.since instanceof Date ? options.since.getTime() : Date.parse(options.since);
    if (Number.isNaN(ms)) {
      throw new SemverGraphError('INVALID_OPTION', `invalid date "${String(options.since)}" for since: expected e.g. 2024-01-31`, { input: String(options.since) });
    }
    out.since = ms;
  }
  return out;
}
