import semver from 'semver';
import { SemverGraphError } from './errors.ts';
import type { ParsedVersion } from './types.ts';

/**
 * Parses a semantic version (a leading `v` is accepted).
 * Throws a {@link SemverGraphError} with code `INVALID_VERSION` naming the input otherwise.
 *
 * @example
 * ```ts
 * parseVersion('1.2.3-beta.2+sha.5');
 * // { major: 1, minor: 2, patch: 3, prerelease: ['beta', 2], build: ['sha', '5'],
 * //   version: '1.2.3-beta.2', raw: '1.2.3-beta.2+sha.5' }
 * ```
 */
export function parseVersion(input: string): ParsedVersion {
  const parsed = typeof input === 'string' ? semver.parse(input) : null;
  if (!parsed) throw invalidVersion(input);
  return {
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: [...parsed.prerelease],
    build: [...parsed.build],
    version: parsed.version,
    raw: input,
  };
}

/**
 * True when `input` is a valid semantic version.
 *
 * @example
 * ```ts
 * isValidVersion('1.2.3'); // true
 * isValidVersion('1.2');   // false
 * ```
 */
export function isValidVersion(input: string): boolean {
  return typeof input === 'string' && semver.valid(input) !== null;
}

/** @internal */
export function invalidVersion(input: unknown): SemverGraphError {
  const shown = typeof input === 'string' ? JSON.stringify(input) : String(input);
  return new SemverGraphError('INVALID_VERSION', `invalid version ${shown}: expected MAJOR.MINOR.PATCH[-prerelease][+build]`, {
    input: String(input),
  });
}

/** Returns the normalised version or throws INVALID_VERSION. @internal */
export function requireVersion(input: string): string {
  const valid = typeof input === 'string' ? semver.valid(input) : null;
  if (valid === null) throw invalidVersion(input);
  return valid;
}
