// Where things live in the runner cache. Imported by the warm path: no imports, string paths only.
//
//   {cacheDir}/{registryKey}/{name}@{version}/   one entry, complete or absent (built in .tmp, renamed)
//       package/                                  the unpacked tarball and its node_modules
//       fw-entry.json                             name, version, registry, integrity, bins, created
//       last-use                                  empty; its mtime is the last run
//   {cacheDir}/{registryKey}/_meta/{name}.json     the abbreviated packument and its ETag
//   {cacheDir}/{registryKey}/_meta/{name}.idx.json ETag, fetch time, dist-tags, resolved ranges
//   {cacheDir}/.tmp/                              entries being built

export const ENTRY_FILE = 'fw-entry.json';
export const LAST_USE_FILE = 'last-use';
export const PACKAGE_DIR = 'package';
export const META_DIR = '_meta';
export const TMP_DIR = '.tmp';

/** Joins path parts with `/` (which every platform's file APIs accept); no `.`/`..` processing. */
export function joinPath(...parts: string[]): string {
  return parts.join('/').replace(/(?<!^)\/{2,}/g, '/');
}

/**
 * The registry's folder name: its URL (scheme, host, port, path prefix) percent-encoded, so two
 * registries never share an entry and the URL reads back from the name.
 * @example
 * registryKey('http://127.0.0.1:4873'); // 'http%3A%2F%2F127.0.0.1%3A4873'
 */
export function registryKey(registry: string): string {
  const url = new URL(registry);
  const path = url.pathname.replace(/\/+$/, '');
  return encodeURIComponent(`${url.protocol}//${url.host}${path}`);
}

/**
 * The registry URL back from {@link registryKey}.
 * @example
 * registryFromKey(registryKey('https://r.example/team')); // 'https://r.example/team'
 */
export function registryFromKey(key: string): string {
  return decodeURIComponent(key);
}

/** `@scope/name` as one path segment: `@scope+name` (`+` never occurs in a valid package name). */
export function nameSegment(name: string): string {
  return name.replace('/', '+');
}

export function entryDir(cacheDir: string, registry: string, name: string, version: string): string {
  return joinPath(cacheDir, registryKey(registry), `${nameSegment(name)}@${version}`);
}

export function metaFile(cacheDir: string, registry: string, name: string, kind: 'doc' | 'idx'): string {
  return joinPath(cacheDir, registryKey(registry), META_DIR, `${nameSegment(name)}${kind === 'idx' ? '.idx' : ''}.json`);
}

/** A package name the warm path can form a path from without npm-package-arg (a subset of valid names). */
export const SIMPLE_NAME = /^(?:@[A-Za-z0-9][A-Za-z0-9._~-]*\/)?[A-Za-z0-9][A-Za-z0-9._~-]*$/;
/** A plain semver version (what a registry's `versions` keys are). */
export const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** What `{name}@{version}` entry folder names look like, split back. */
export function parseEntryName(segment: string): { name: string; version: string } | null {
  const at = segment.lastIndexOf('@');
  if (at <= 0) return null;
  const name = segment.slice(0, at).replace('+', '/');
  const version = segment.slice(at + 1);
  return SIMPLE_NAME.test(name) && EXACT_VERSION.test(version) ? { name, version } : null;
}

/** The small index the warm path reads instead of the packument. */
export interface MetaIndex {
  etag: string | null;
  /** When the registry last confirmed this packument (ms since epoch). */
  fetchedAt: number;
  tags: Record<string, string>;
  /** Range text -> the version it resolved to against this packument. */
  ranges: Record<string, string>;
}

/** What a cache entry's `fw-entry.json` file holds. */
export interface EntryRecord {
  name: string;
  version: string;
  registry: string;
  integrity: string;
  bin: Record<string, string>;
  created: string;
}

/**
 * The cache folder: BUNX_CACHE_DIR, else `~/.bun/registry-cache`.
 * @example
 * defaultCacheDir({ BUNX_CACHE_DIR: '/tmp/bunx' }); // '/tmp/bunx'
 */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env, home?: string): string {
  return env.BUNX_CACHE_DIR?.trim() || joinPath(home ?? homeDir(env), '.bun', 'registry-cache');
}

/** HOME (USERPROFILE on Windows), else the OS's answer (node:os loads only then). */
export function homeDir(env: Record<string, string | undefined> = process.env): string {
  return env.HOME || env.USERPROFILE || (process as unknown as { getBuiltinModule(m: 'node:os'): typeof import('node:os') }).getBuiltinModule('node:os').homedir();
}
