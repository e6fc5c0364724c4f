import { precedence } from './_order.ts';
import { requireVersion } from './parse.ts';

/**
 * Compares two versions by semver precedence: -1 when `a` comes first, 1 when `b` does, 0 when
 * they are equal (build metadata does not count). Invalid input throws `INVALID_VERSION`.
 *
 * @example
 * ```ts
 * compareVersions('1.2.3', '1.2.4');      // -1
 * compareVersions('1.0.0-rc.1', '1.0.0'); // -1
 * compareVersions('1.0.0+a', '1.0.0+b');  // 0
 * ```
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  return precedence(requireVersion(a), requireVersion(b));
}

/**
 * Sorts versions by semver precedence (ascending; `{ descending: true }` for newest first), using
 * Bun.semver on Bun and `semver` elsewhere. Versions of equal precedence (differing only in build
 * metadata) are ordered by their text so the result is the same everywhere. Returns a new array;
 * invalid versions throw `INVALID_VERSION`.
 *
 * @example
 * ```ts
 * sortVersions(['1.10.0', '1.2.0', '1.2.0-rc.1']); // ['1.2.0-rc.1', '1.2.0', '1.10.0']
 * sortVersions(['1.0.0', '2.0.0'], { descending: true }); // ['2.0.0', '1.0.0']
 * ```
 */
export function sortVersions(versions: readonly string[], options: { descending?: boolean } = {}): string[] {
  for (const v of versions) requireVersion(v);
  const sign = options.descending ? -1 : 1;
  return [...versions].sort((a, b) => sign * (precedence(a, b) || (a < b ? -1 : a > b ? 1 : 0)));
}
