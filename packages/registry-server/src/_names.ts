import validate from 'validate-npm-package-name';
import semver from 'semver';
import { RegistryError } from './errors.ts';

const known = new Set<string>();

/**
 * Checks a package name before it forms any storage key. Reads accept names valid for old packages
 * (capitals); publishes need names valid for new packages. A scope starting with a dot is refused too
 * (validate-npm-package-name lets `@../x` through).
 */
export function assertPackageName(name: string, forPublish = false): string {
  if (!forPublish && known.has(name)) return name;
  const result = validate(name);
  const ok = forPublish ? result.validForNewPackages : result.validForOldPackages;
  const scope = name.startsWith('@') ? name.slice(1, name.indexOf('/')) : '';
  if (!ok || scope.startsWith('.') || name.length > 214 || (name.startsWith('@') && !name.includes('/'))) {
    const why = [...(result.errors ?? []), ...(forPublish ? result.warnings ?? [] : [])][0] ?? 'not a valid package name';
    throw new RegistryError('INVALID_NAME', `invalid package name ${JSON.stringify(name.slice(0, 100))}: ${why}`);
  }
  // Hot GETs skip revalidation of names already seen valid (bounded memo).
  if (!forPublish) {
    if (known.size >= 10_000) known.clear();
    known.add(name);
  }
  return name;
}

/** A strict semver version (`1.0.0`, `1.0.0-beta.1`), as stored and published. */
export function assertVersion(version: unknown): string {
  if (typeof version !== 'string' || version.length > 256 || semver.valid(version) !== version) {
    throw new RegistryError('INVALID_VERSION', `invalid version ${JSON.stringify(String(version).slice(0, 100))}`);
  }
  return version;
}

/** The tarball file name this registry stores for a version: `<unscoped name>-<version>.tgz`. */
export function tarballFile(name: string, version: string): string {
  return `${name.slice(name.lastIndexOf('/') + 1)}-${version}.tgz`;
}

/** The version a tarball file name stands for, or null when the file is not one of this package's. */
export function versionOfTarball(name: string, file: string): string | null {
  const base = `${name.slice(name.lastIndexOf('/') + 1)}-`;
  if (!file.startsWith(base) || !file.endsWith('.tgz')) return null;
  const version = file.slice(base.length, -4);
  return semver.valid(version) === version ? version : null;
}

/** A dist-tag name: URL-safe and not itself a semver range (npm's own rule); never `__proto__`. */
export function assertTag(tag: string): string {
  if (!tag || tag.length > 100 || encodeURIComponent(tag) !== tag || semver.validRange(tag) !== null || tag === '__proto__') {
    throw new RegistryError('BAD_REQUEST', `invalid dist-tag ${JSON.stringify(tag.slice(0, 100))}`);
  }
  return tag;
}

export interface PackagePath {
  name: string;
  /** Decoded segments after the package name. */
  rest: string[];
}

/**
 * Splits a raw URL path (still percent-encoded) into a package name and the remaining segments.
 * Accepts `@scope%2fname` (npm) and `@scope/name` (bun, pnpm). Throws for undecodable segments.
 */
export function parsePackagePath(segments: string[]): PackagePath {
  const decoded = segments.map((s) => {
    try { return decodeURIComponent(s); } catch {
      throw new RegistryError('BAD_REQUEST', 'malformed percent-encoding in path');
    }
  });
  const first = decoded[0] ?? '';
  if (first.startsWith('@') && !first.includes('/')) {
    if (decoded.length < 2) throw new RegistryError('INVALID_NAME', `invalid package name ${JSON.stringify(first)}`);
    return { name: `${first}/${decoded[1]}`, rest: decoded.slice(2) };
  }
  return { name: first, rest: decoded.slice(1) };
}
