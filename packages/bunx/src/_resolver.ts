// Which version a spec runs, with the freshness rules of the clients: an exact version that is
// cached never asks the registry; a range asks after the TTL; a dist-tag asks on every run; each
// question is a conditional GET. Offline, or with the registry unreachable, cached entries answer.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RegistryConfig } from './config.ts';
import { BunxError, isBunxError } from './errors.ts';
import { EXACT_VERSION, entryDir, parseEntryName, registryKey, type MetaIndex } from './_layout.ts';
import { fetchPackument, readMeta, writeMeta, writeMetaIndex } from './packument.ts';
import { cachedSatisfies, pickVersion, sortNewestFirst, type AbbreviatedVersion } from './resolve.ts';
import { formatSpec, type PackageSpec } from './spec.ts';

export interface Resolution {
  name: string;
  version: string;
  registry: string;
  /** How it was decided: from the cache without asking, after asking, or from the cache because asking failed. */
  source: 'cache' | 'registry' | 'offline' | 'unreachable';
  /** The version's manifest from the packument; absent when the registry was not asked. */
  manifest?: AbbreviatedVersion;
}

export interface ResolverDeps {
  config: RegistryConfig;
  cacheDir: string;
  ttlMs: number;
  now: () => number;
  fetch?: typeof fetch;
  warn: (message: string) => void;
}

/** Versions of `name` with a complete entry in the cache for `registry`. */
export function cachedVersions(cacheDir: string, registry: string, name: string): string[] {
  const dir = join(cacheDir, registryKey(registry));
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.map(parseEntryName).filter((e): e is { name: string; version: string } => e?.name === name).map((e) => e.version);
}

const hasEntry = (deps: ResolverDeps, registry: string, name: string, version: string) => existsSync(entryDir(deps.cacheDir, registry, name, version));

/** The best cached version for a spec, using the last known packument where there is one. */
function fromCache(deps: ResolverDeps, spec: PackageSpec, registry: string): string | null {
  const cached = sortNewestFirst(cachedVersions(deps.cacheDir, registry, spec.name));
  const meta = readMeta(deps.cacheDir, registry, spec.name);
  const tags = meta?.index.tags;
  const matching = cached.filter((v) => cachedSatisfies(spec, v, tags));
  if (spec.type === 'range' && meta) {
    const fresh = matching.find((v) => !meta.doc.versions[v]?.deprecated);
    if (fresh) return fresh;
  }
  if (matching[0]) return matching[0];
  // No dist-tags known: `latest` is taken as the newest cached release.
  if (spec.type === 'tag' && spec.spec === 'latest' && !tags) return cached.find((v) => !v.includes('-')) ?? null;
  return null;
}

function missing(deps: ResolverDeps, spec: PackageSpec, registry: string, why: string): BunxError {
  const cached = sortNewestFirst(cachedVersions(deps.cacheDir, registry, spec.name));
  const have = cached.length ? `cached: ${cached.join(', ')}` : 'nothing of it is cached';
  return new BunxError('OFFLINE_MISS', `${why}: ${formatSpec(spec)} from ${registry} is missing from the cache (${have})`);
}

/**
 * Resolves a spec to a version for one registry.
 * @example
 * const r = await resolveSpec(deps, parseSpec('@acme/cli@^1'), { offline: false }); // { version: '1.3.0', ... }
 */
export async function resolveSpec(deps: ResolverDeps, spec: PackageSpec, options: { offline?: boolean } = {}): Promise<Resolution> {
  const { config, cacheDir } = deps;
  const registry = config.registryFor(spec.name);
  const base = { name: spec.name, registry };
  if (spec.type === 'version' && hasEntry(deps, registry, spec.name, spec.spec)) return { ...base, version: spec.spec, source: 'cache' };
  if (options.offline) {
    const version = fromCache(deps, spec, registry);
    if (version) return { ...base, version, source: 'offline' };
    throw missing(deps, spec, registry, 'offline');
  }
  const meta = readMeta(cacheDir, registry, spec.name);
  const now = deps.now();
  if (spec.type === 'range' && meta && now - meta.index.fetchedAt < deps.ttlMs) {
    const version = meta.index.ranges[spec.raw] ?? safePick(meta.doc, spec);
    if (version && hasEntry(deps, registry, spec.name, version)) return { ...base, version, source: 'cache', manifest: meta.doc.versions[version] };
  }
  let answer;
  try {
    const token = await config.tokenFor(registry);
    answer = await fetchPackument(registry, spec.name, { token, etag: meta?.index.etag ?? null, fetch: deps.fetch });
  } catch (err) {
    if (!isBunxError(err, 'REGISTRY_UNREACHABLE')) throw err;
    const version = fromCache(deps, spec, registry);
    if (!version) throw new BunxError('REGISTRY_UNREACHABLE', `${err.message}; and ${formatSpec(spec)} is not in the cache`, { cause: err });
    deps.warn(`registry ${registry} unreachable; running cached ${spec.name}@${version}`);
    return { ...base, version, source: 'unreachable' };
  }
  let doc;
  let index: MetaIndex;
  if (answer.status === 'not-modified') {
    doc = meta!.doc;
    index = { ...meta!.index, fetchedAt: now };
  } else {
    doc = answer.doc;
    index = writeMeta(cacheDir, registry, spec.name, doc, answer.etag, now);
  }
  const version = pickVersion(doc, spec);
  if (!EXACT_VERSION.test(version)) throw new BunxError('REGISTRY_ERROR', `the registry at ${registry} named an invalid version ${JSON.stringify(version)} for ${spec.name}`);
  if (spec.type === 'range') index = { ...index, ranges: { ...index.ranges, [spec.raw]: version } };
  if (answer.status === 'not-modified' || spec.type === 'range') writeMetaIndex(cacheDir, registry, spec.name, index);
  return { ...base, version, source: 'registry', manifest: doc.versions[version] };
}

function safePick(doc: Parameters<typeof pickVersion>[0], spec: PackageSpec): string | null {
  try {
    return pickVersion(doc, spec);
  } catch {
    return null;
  }
}
