import { tarballFile } from '../_names.ts';
import { withMaintainers } from './maintainers.ts';

/** One version's manifest as published (package.json plus `dist` and npm's underscore fields). */
export interface VersionManifest {
  name: string;
  version: string;
  dist: { tarball: string; shasum: string; integrity: string; fileCount?: number; unpackedSize?: number; [k: string]: unknown };
  deprecated?: string;
  [field: string]: unknown;
}

/** Fields the registry keeps for itself; never served. */
export interface PrivateFields {
  /** Tarball sizes in bytes per version (stats). */
  sizes?: Record<string, number>;
  /** Set while the package is cached from an uplink. */
  uplink?: string;
  /** Per dist-tag, the last rollback while the tag still stands where it put it (the way back is `from`). */
  rollbacks?: Record<string, { from: string | null; to: string }>;
}

/** The packument as stored at `packages/{name}/manifest.json`. */
export interface Packument {
  _id: string;
  _rev: string;
  name: string;
  description?: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, VersionManifest>;
  /** created, modified, one entry per version ever published (kept after unpublish), `unpublished`. */
  time: Record<string, unknown>;
  maintainers?: Array<{ name: string; email?: string }>;
  readme?: string;
  readmeFilename?: string;
  _fw?: PrivateFields;
  [field: string]: unknown;
}

const INSTALL_FIELDS = [
  'name', 'version', 'dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies',
  'peerDependenciesMeta', 'bundleDependencies', 'bundledDependencies', 'bin', 'directories', 'dist', 'engines', 'os',
  'cpu', 'deprecated', '_hasShrinkwrap', 'hasInstallScript', 'funding', 'libc',
] as const;

/**
 * The full document as served: everything but the registry's private fields, with maintainers
 * (derived from the first publisher for packuments stored before they were kept).
 * @example
 * const body = JSON.stringify(publicPackument(doc));
 */
export function publicPackument(doc: Packument): Omit<Packument, '_fw'> {
  const { _fw, ...rest } = withMaintainers(doc);
  return rest;
}

/**
 * The document with every version's `dist.tarball` on `publicUrl`. Links are stored as they were at
 * publish time, and the public URL may have changed since (REGISTRY_URL set later, a move).
 * @example
 * withTarballUrls(doc, 'https://npm.example.com').versions['1.0.0'].dist.tarball;
 */
export function withTarballUrls(doc: Packument, publicUrl: string): Packument {
  const versions: Record<string, VersionManifest> = {};
  for (const [v, manifest] of Object.entries(doc.versions)) {
    const tarball = `${publicUrl}/${doc.name}/-/${tarballFile(doc.name, v)}`;
    versions[v] = manifest.dist?.tarball === tarball ? manifest : { ...manifest, dist: { ...manifest.dist, tarball } };
  }
  return { ...doc, versions };
}

/**
 * npm's abbreviated ("corgi") form for `Accept: application/vnd.npm.install-v1+json`: install fields
 * only, plus `time` because pnpm's minimumReleaseAge reads it.
 * @example
 * abbreviatedPackument(doc).versions['1.0.0'].dist.integrity;
 */
export function abbreviatedPackument(doc: Packument): Record<string, unknown> {
  const versions: Record<string, Record<string, unknown>> = {};
  for (const [v, manifest] of Object.entries(doc.versions)) {
    const out: Record<string, unknown> = {};
    for (const field of INSTALL_FIELDS) {
      if (manifest[field] !== undefined) out[field] = manifest[field];
    }
    const scripts = manifest.scripts as Record<string, unknown> | undefined;
    if (out.hasInstallScript === undefined && scripts && (scripts.preinstall || scripts.install || scripts.postinstall)) {
      out.hasInstallScript = true;
    }
    versions[v] = out;
  }
  return { name: doc.name, modified: doc.time.modified, 'dist-tags': doc['dist-tags'], versions, time: doc.time };
}

/**
 * A packument has something to serve when it still has versions (a fully unpublished one does not).
 * @example
 * if (!isLive(doc)) throw new RegistryError('NOT_FOUND', 'package not found');
 */
export function isLive(doc: Packument | null): doc is Packument {
  if (!doc) return false;
  // Called on every GET with the cached (never mutated) document: remembered per object.
  let live = liveness.get(doc);
  if (live === undefined) liveness.set(doc, (live = Object.keys(doc.versions ?? {}).length > 0));
  return live;
}

const liveness = new WeakMap<Packument, boolean>();
