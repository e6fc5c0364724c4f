import semver from 'semver';
import type { Packument } from '../packages/packument.ts';

/** An upstream version held back by the release-age guard. */
export interface QuarantinedVersion {
  version: string;
  /** When the upstream says it was published; null when the upstream gives no time for it. */
  publishedAt: string | null;
  /** When it will be served; null when it never will on its own (no publish time upstream). */
  maturesAt: string | null;
}

/** A proxied packument as served under the guard, with what was left out. */
export interface ReleaseAgeView {
  doc: Packument;
  quarantined: QuarantinedVersion[];
  /** Tags the upstream points at a held-back version: where they point here (null: dropped). */
  movedTags: Record<string, { upstream: string; served: string | null }>;
  /** Epoch ms at which a held-back version matures and the view changes; Infinity when none will. */
  changesAt: number;
}

/** The version a tag falls back to: the highest mature one below it (no prerelease for a release). */
function fallback(tagged: string, mature: string[]): string | null {
  const pre = semver.prerelease(tagged) !== null;
  let best: string | null = null;
  for (const v of mature) {
    if (!semver.valid(v) || !semver.valid(tagged) || !semver.lt(v, tagged)) continue;
    if (!pre && semver.prerelease(v) !== null) continue;
    if (best === null || semver.gt(v, best)) best = v;
  }
  return best;
}

/**
 * The supply-chain guard on one upstream packument: versions published less than `minAgeMs` before
 * `nowMs` (or with no publish time) are left out, with their `time` entries; a dist-tag on such a
 * version falls back to the highest mature version below it, or is dropped. `minAgeMs` 0 keeps all.
 * Pure: the caller decides which packages are exempt.
 * @example
 * const view = applyReleaseAge(doc, 86_400_000, Date.now());
 * view.doc['dist-tags'].latest; // the newest version at least a day old
 * view.quarantined;             // [{ version: '2.0.0', publishedAt: '...', maturesAt: '...' }]
 */
export function applyReleaseAge(doc: Packument, minAgeMs: number, nowMs: number): ReleaseAgeView {
  if (minAgeMs <= 0) return { doc, quarantined: [], movedTags: {}, changesAt: Infinity };
  const quarantined: QuarantinedVersion[] = [];
  const versions: Packument['versions'] = {};
  const time: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc.time ?? {})) if (!Object.hasOwn(doc.versions, key)) time[key] = value;
  let changesAt = Infinity;
  for (const [v, manifest] of Object.entries(doc.versions)) {
    const raw = doc.time?.[v];
    const published = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
    if (Number.isFinite(published) && nowMs - published >= minAgeMs) {
      versions[v] = manifest;
      time[v] = raw;
      continue;
    }
    const matures = Number.isFinite(published) ? published + minAgeMs : Number.NaN;
    if (Number.isFinite(matures)) changesAt = Math.min(changesAt, matures);
    quarantined.push({
      version: v,
      publishedAt: Number.isFinite(published) ? new Date(published).toISOString() : null,
      maturesAt: Number.isFinite(matures) ? new Date(matures).toISOString() : null,
    });
  }
  if (quarantined.length === 0) return { doc, quarantined, movedTags: {}, changesAt };
  const mature = Object.keys(versions);
  const tags: Record<string, string> = {};
  const movedTags: ReleaseAgeView['movedTags'] = {};
  for (const [tag, v] of Object.entries(doc['dist-tags'] ?? {})) {
    if (Object.hasOwn(versions, v)) {
      tags[tag] = v;
      continue;
    }
    const served = fallback(v, mature);
    movedTags[tag] = { upstream: v, served };
    if (served) tags[tag] = served;
  }
  return { doc: { ...doc, versions, time, 'dist-tags': tags }, quarantined, movedTags, changesAt };
}
