import { RegistryError } from '../errors.ts';
import { isPlainObject } from '../_http.ts';

/** Caps on metadata a publish or a deprecate may store (see `limits` in the config). */
export interface MetadataLimits {
  /** dist-tags one package may have. */
  maxDistTags: number;
  /** Characters of one deprecation message. */
  maxDeprecationLength: number;
  /** UTF-8 bytes of a README. */
  maxReadmeSize: number;
}

/** The defaults of {@link MetadataLimits}. */
export const DEFAULT_METADATA_LIMITS: MetadataLimits = { maxDistTags: 100, maxDeprecationLength: 1024, maxReadmeSize: 1024 * 1024 };

const bad = (message: string) => new RegistryError('BAD_REQUEST', message);

// C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text that clients print, made safe for a terminal: control characters (ANSI escapes, CR, bells,
 * bidi overrides) dropped; in one-line text, tabs and line breaks become a space.
 * @example
 * printable('ok\x1b[2J\r\nbye'); // 'ok[2J bye'
 */
export function printable(text: string, multiline = false): string {
  const lines = multiline ? text.replace(/\r\n?/g, '\n') : text.replace(/[\t\r\n]+/g, ' ');
  return lines.replace(CONTROLS, '');
}

type Kind = 'string' | 'boolean' | 'strings' | 'map' | 'object' | 'bin' | 'stringOrObject';

/** The type each field must have where a version manifest carries it. */
const FIELD_KINDS: Record<string, Kind> = {
  name: 'string', version: 'string', description: 'string', readme: 'string', readmeFilename: 'string',
  deprecated: 'string', main: 'string', module: 'string', types: 'string', typings: 'string', homepage: 'string',
  keywords: 'strings', os: 'strings', cpu: 'strings', libc: 'strings', files: 'strings',
  dependencies: 'map', devDependencies: 'map', optionalDependencies: 'map', peerDependencies: 'map',
  engines: 'map', scripts: 'map',
  peerDependenciesMeta: 'object', directories: 'object', dist: 'object', publishConfig: 'object',
  bin: 'bin', license: 'stringOrObject', repository: 'stringOrObject', bugs: 'stringOrObject', author: 'stringOrObject',
  hasInstallScript: 'boolean', _hasShrinkwrap: 'boolean', gypfile: 'boolean',
};

function typeProblem(value: unknown, kind: Kind): string | null {
  switch (kind) {
    case 'string': return typeof value === 'string' ? null : 'must be a string';
    case 'boolean': return typeof value === 'boolean' ? null : 'must be true or false';
    case 'strings': return Array.isArray(value) && value.every((v) => typeof v === 'string') ? null : 'must be an array of strings';
    case 'map': return isPlainObject(value) && Object.values(value).every((v) => typeof v === 'string') ? null : 'must be an object of strings';
    case 'object': return isPlainObject(value) ? null : 'must be an object';
    case 'bin': return typeof value === 'string' || (isPlainObject(value) && Object.values(value).every((v) => typeof v === 'string')) ? null : 'must be a string or an object of strings';
    case 'stringOrObject': return typeof value === 'string' || isPlainObject(value) ? null : 'must be a string or an object';
  }
}

/**
 * Throws BAD_REQUEST naming the first field of `manifest` (a version manifest or a package.json)
 * whose type is wrong; `where` prefixes the field (`versions.1.0.0`, `package.json in the tarball`).
 * @example
 * checkFieldTypes({ name: 'a', keywords: 'x' }, 'versions.1.0.0'); // throws: versions.1.0.0.keywords must be an array of strings
 */
export function checkFieldTypes(manifest: Record<string, unknown>, where: string): void {
  for (const [field, kind] of Object.entries(FIELD_KINDS)) {
    const value = manifest[field];
    if (value === undefined || (value === null && kind !== 'string' && kind !== 'boolean')) continue;
    const why = typeProblem(value, kind);
    if (why) throw bad(`${where}.${field} ${why}`);
  }
}

/**
 * A deprecation message checked and made printable: a string (`""` lifts it) within the cap.
 * @example
 * deprecationOf('use v2\x1b[31m', 'versions.1.0.0', DEFAULT_METADATA_LIMITS); // 'use v2[31m'
 */
export function deprecationOf(value: unknown, where: string, limits: MetadataLimits): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad(`${where}.deprecated must be a string`);
  if (value.length > limits.maxDeprecationLength) throw bad(`${where}.deprecated is longer than ${limits.maxDeprecationLength} characters`);
  return printable(value);
}

/**
 * A README within the cap, with control characters dropped (line breaks and tabs kept).
 * @example
 * readmeOf('# Title\r\n', 'readme', DEFAULT_METADATA_LIMITS); // '# Title\n'
 */
export function readmeOf(value: unknown, where: string, limits: MetadataLimits): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw bad(`${where} must be a string`);
  if (new TextEncoder().encode(value).byteLength > limits.maxReadmeSize) throw bad(`${where} is larger than ${limits.maxReadmeSize} bytes`);
  return printable(value, true);
}

/**
 * The printed fields of a version manifest made printable in place: description, keywords,
 * deprecated, readmeFilename.
 * @example
 * sanitizeManifest(manifest);
 */
export function sanitizeManifest(manifest: Record<string, unknown>): void {
  for (const field of ['description', 'readmeFilename', 'deprecated']) {
    if (typeof manifest[field] === 'string') manifest[field] = printable(manifest[field] as string);
  }
  if (Array.isArray(manifest.keywords)) manifest.keywords = (manifest.keywords as string[]).map((k) => printable(k));
}
