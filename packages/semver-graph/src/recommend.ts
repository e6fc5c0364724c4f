import semver from 'semver';
import { SemverGraphError } from './errors.ts';
import { requireVersion } from './parse.ts';
import type { BumpType, Recommendation } from './types.ts';

/**
 * Every bump, in the order the CLI lists them.
 *
 * @example
 * ```ts
 * BUMP_TYPES.map((bump) => recommendVersion('1.0.0', bump).next);
 * ```
 */
export const BUMP_TYPES: readonly BumpType[] = ['patch', 'minor', 'major', 'prepatch', 'preminor', 'premajor', 'prerelease'];

/**
 * True when `value` is one of {@link BUMP_TYPES}.
 *
 * @example
 * ```ts
 * isBumpType('minor'); // true
 * ```
 */
export function isBumpType(value: string): value is BumpType {
  return (BUMP_TYPES as readonly string[]).includes(value);
}

/**
 * The next version after `current` for a bump, and what every other bump would give.
 * Prerelease bumps use `preid` (`1.2.3` premajor `beta` -> `2.0.0-beta.0`).
 *
 * @example
 * ```ts
 * recommendVersion('1.2.3', 'major').next;              // '2.0.0'
 * recommendVersion('1.2.3', 'prerelease', 'rc').next;   // '1.2.4-rc.0'
 * recommendVersion('2.0.0-rc.0', 'prerelease').next;    // '2.0.0-rc.1'
 * ```
 */
export function recommendVersion(current: string, bump: BumpType | string, preid?: string): Recommendation {
  const version = requireVersion(current);
  if (!isBumpType(bump)) {
    throw new SemverGraphError('INVALID_BUMP', `invalid bump "${bump}": expected one of ${BUMP_TYPES.join(', ')}`, { input: bump });
  }
  // a semver prerelease identifier: a number without leading zeros, or letters, digits and hyphens
  if (preid !== undefined && !/^(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)$/.test(preid)) {
    throw new SemverGraphError('INVALID_OPTION', `invalid preid "${preid}": use letters, digits and hyphens (a number without leading zeros)`, { input: preid });
  }
  const candidates = Object.fromEntries(
    BUMP_TYPES.map((type) => [type, semver.inc(version, type, undefined, preid) as string]),
  ) as Record<BumpType, string>;
  const next = candidates[bump];
  if (semver.valid(next) === null) {
    throw new SemverGraphError('INVALID_VERSION', `a ${bump} bump of ${version} gives no valid version (a number past ${Number.MAX_SAFE_INTEGER})`, { input: current });
  }
  if (semver.compare(next, version) <= 0) {
    throw new SemverGraphError('INVALID_OPTION', `a ${bump} bump of ${version} with preid "${preid}" gives ${next}, which does not come after it; use a later preid, or prepatch, preminor or premajor`, { input: preid ?? '' });
  }
  return { current: version, bump, preid, next, candidates };
}
