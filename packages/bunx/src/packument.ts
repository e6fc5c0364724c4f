import { readFileSync } from 'node:fs';
import { BunxError } from './errors.ts';
import { writeFileAtomic } from './_fs.ts';
import { metaFile, type MetaIndex } from './_layout.ts';
import type { AbbreviatedPackument } from './resolve.ts';

const ABBREVIATED = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
/** How long a packument GET may take before the registry counts as unreachable. */
export const PACKUMENT_TIMEOUT_MS = 30_000;

/**
 * `@scope/name` as the registry path segment `@scope%2fname`.
 * @example
 * packumentUrl('http://127.0.0.1:4873', '@acme/cli'); // 'http://127.0.0.1:4873/@acme%2fcli'
 */
export function packumentUrl(registry: string, name: string): string {
  return `${registry}/${name.replace('/', '%2f')}`;
}

export type PackumentAnswer =
  | { status: 'fresh'; doc: AbbreviatedPackument; etag: string | null }
  | { status: 'not-modified' };

/**
 * GETs the abbreviated packument; with `etag`, conditionally (If-None-Match), so an unchanged
 * package answers 304 with no body. A network failure or a 5xx is REGISTRY_UNREACHABLE (the caller
 * may fall back to the cache); 401/403, 404 and other answers are errors of their own.
 * @example
 * const answer = await fetchPackument('http://127.0.0.1:4873', '@acme/cli', { token, etag });
 */
export async function fetchPackument(
  registry: string,
  name: string,
  options: { token?: string | null; etag?: string | null; fetch?: typeof fetch } = {},
): Promise<PackumentAnswer> {
  const headers: Record<string, string> = { accept: ABBREVIATED, 'user-agent': 'factorywager-bunx' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.etag) headers['if-none-match'] = options.etag;
  const url = packumentUrl(registry, name);
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(PACKUMENT_TIMEOUT_MS) });
  } catch (err) {
    throw new BunxError('REGISTRY_UNREACHABLE', `cannot reach the registry at ${registry}: ${(err as Error).message}`, { cause: err });
  }
  if (res.status === 304 && options.etag) return { status: 'not-modified' };
  if (res.ok) {
    let doc: AbbreviatedPackument;
    try {
      doc = (await res.json()) as AbbreviatedPackument;
    } catch (err) {
      throw new BunxError('REGISTRY_ERROR', `the registry at ${registry} answered ${name} with something other than JSON`, { cause: err });
    }
    if (!doc || typeof doc !== 'object' || typeof doc.versions !== 'object' || doc.versions === null) {
      throw new BunxError('REGISTRY_ERROR', `the registry at ${registry} answered ${name} without a versions object`);
    }
    return { status: 'fresh', doc, etag: res.headers.get('etag') };
  }
  const message = await errorText(res);
  if (res.status === 404) throw new BunxError('NOT_FOUND', `${name} is not in the registry at ${registry}`);
  if (res.status === 401 || res.status === 403) {
    const hint = options.token ? '' : ' (no token: set FW_TOKEN, the secret registry:<host>, or //host/:_authToken in .npmrc)';
    throw new BunxError('UNAUTHORIZED', `${registry} refused ${name}: ${res.status} ${message}${hint}`);
  }
  if (res.status >= 500) throw new BunxError('REGISTRY_UNREACHABLE', `the registry at ${registry} answered ${res.status} ${message}`);
  throw new BunxError('REGISTRY_ERROR', `the registry at ${registry} answered ${name} with ${res.status} ${message}`);
}

async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    if (typeof error === 'string') return error;
  } catch {
    // not JSON
  }
  return res.statusText || text.slice(0, 200);
}

/** The packument and index the runner keeps per registry and package (see _layout.ts). */
export interface StoredMeta {
  doc: AbbreviatedPackument;
  index: MetaIndex;
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** The stored index alone (small), or null. */
export function readMetaIndex(cacheDir: string, registry: string, name: string): MetaIndex | null {
  return readJson<MetaIndex>(metaFile(cacheDir, registry, name, 'idx'));
}

/** The stored packument with its index, or null when either is missing or they disagree. */
export function readMeta(cacheDir: string, registry: string, name: string): StoredMeta | null {
  const index = readMetaIndex(cacheDir, registry, name);
  const stored = readJson<{ etag: string | null; doc: AbbreviatedPackument }>(metaFile(cacheDir, registry, name, 'doc'));
  if (!index || !stored || stored.etag !== index.etag || !stored.doc?.versions) return null;
  return { doc: stored.doc, index };
}

/** Stores a packument just fetched: the document first, then its index (each written whole). */
export function writeMeta(cacheDir: string, registry: string, name: string, doc: AbbreviatedPackument, etag: string | null, now: number): MetaIndex {
  writeFileAtomic(metaFile(cacheDir, registry, name, 'doc'), JSON.stringify({ etag, doc }));
  const index: MetaIndex = { etag, fetchedAt: now, tags: { ...doc['dist-tags'] }, ranges: {} };
  writeMetaIndex(cacheDir, registry, name, index);
  return index;
}

export function writeMetaIndex(cacheDir: string, registry: string, name: string, index: MetaIndex): void {
  writeFileAtomic(metaFile(cacheDir, registry, name, 'idx'), JSON.stringify(index));
}
