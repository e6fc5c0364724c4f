import semver from 'semver';
import { BunxError } from './errors.ts';
import type { PackageSpec } from './spec.ts';

/** The fields of an abbreviated ("corgi") packument the runner reads. */
export interface AbbreviatedPackument {
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, AbbreviatedVersion>;
}

export interface AbbreviatedVersion {
  name?: string;
  version: string;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  deprecated?: string | boolean;
  dist: { tarball: string; integrity?: string; shasum?: string };
}

const isDeprecated = (v: AbbreviatedVersion | undefined) => v?.deprecated !== undefined && v.deprecated !== false && v.deprecated !== '';

/**
 * The version a spec picks from a packument: an exact version if published; a dist-tag's target;
 * for a range, the highest satisfying version that is not deprecated, a deprecated one only when
 * nothing else satisfies. Prereleases match only ranges that name them, as in npm.
 * @example
 * pickVersion(doc, parseSpec('pkg@^1.0.0')); // '1.3.0'
 */
export function pickVersion(doc: AbbreviatedPackument, spec: PackageSpec): string {
  const versions = doc.versions ?? {};
  const tags = doc['dist-tags'] ?? {};
  if (spec.type === 'version') {
    if (versions[spec.spec]) return spec.spec;
    throw new BunxError('NO_MATCHING_VERSION', `${spec.name}@${spec.spec} is not published (latest: ${tags.latest ?? 'none'})`);
  }
  if (spec.type === 'tag') {
    const target = tags[spec.spec];
    if (target && versions[target]) return target;
    const known = Object.keys(tags).join(', ') || 'none';
    throw new BunxError('NO_MATCHING_VERSION', `${spec.name} has no dist-tag "${spec.spec}" (tags: ${known})`);
  }
  const satisfying = Object.keys(versions).filter((v) => semver.valid(v) && semver.satisfies(v, spec.spec, { loose: true }));
  if (satisfying.length === 0) {
    throw new BunxError('NO_MATCHING_VERSION', `no version of ${spec.name} satisfies "${spec.spec}" (latest: ${tags.latest ?? 'none'})`);
  }
  satisfying.sort(semver.rcompare);
  return satisfying.find((v) => !isDeprecated(versions[v])) ?? satisfying[0]!;
}

/**
 * Whether `version` (already cached) satisfies the spec, for offline runs and an unreachable
 * registry; a tag is satisfied by the version the last known dist-tags gave it.
 * @example
 * cachedSatisfies(parseSpec('pkg@^1'), '1.2.0', {}); // true
 */
export function cachedSatisfies(spec: PackageSpec, version: string, tags: Record<string, string> | undefined): boolean {
  if (spec.type === 'version') return version === spec.spec;
  if (spec.type === 'tag') return tags?.[spec.spec] === version;
  return semver.satisfies(version, spec.spec, { loose: true });
}

/** Newest first. */
export function sortNewestFirst(versions: string[]): string[] {
  return [...versions].filter((v) => semver.valid(v)).sort(semver.rcompare);
}
