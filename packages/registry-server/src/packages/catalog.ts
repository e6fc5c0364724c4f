import { keys, type Store } from '@factorywager/r2-store';
import { isLive, type Packument } from './packument.ts';
import { downloadsKey, type DownloadCounts } from './downloads.ts';

/**
 * Every package name with a folder under `packages/` (scoped names included), sorted.
 * @example
 * await listPackageNames(store); // ['@acme/ui', 'left-pad']
 */
export async function listPackageNames(store: Store): Promise<string[]> {
  const names: string[] = [];
  const walk = async (prefix: string, scope: string | null) => {
    let cursor: string | undefined;
    do {
      const page = await store.list({ prefix, delimiter: '/', ...(cursor ? { cursor } : {}) });
      for (const p of page.prefixes) {
        const seg = p.slice(prefix.length, -1);
        if (scope === null && seg.startsWith('@')) await walk(p, seg);
        else names.push(scope ? `${scope}/${seg}` : seg);
      }
      cursor = page.cursor;
    } while (cursor);
  };
  await walk(keys.packagesPrefix(), null);
  return names.sort();
}

/** One row of the package list. */
export interface PackageSummary {
  name: string;
  version: string;
  description?: string;
  versions: number;
  modified: string;
  keywords?: string[];
  deprecated?: string;
}

/**
 * One row of the package list from a packument (latest version's fields).
 * @example
 * summarize(doc).version; // the latest tag
 */
export function summarize(doc: Packument): PackageSummary {
  const latest = doc['dist-tags'].latest ?? Object.keys(doc.versions).pop()!;
  const manifest = doc.versions[latest];
  const out: PackageSummary = { name: doc.name, version: latest, versions: Object.keys(doc.versions).length, modified: String(doc.time.modified ?? '') };
  const description = manifest?.description ?? doc.description;
  if (typeof description === 'string') out.description = description;
  if (Array.isArray(manifest?.keywords)) out.keywords = manifest.keywords.filter((k): k is string => typeof k === 'string');
  if (manifest?.deprecated) out.deprecated = manifest.deprecated;
  return out;
}

/**
 * Live packuments (`read` is usually the packument cache), in name order.
 * @example
 * const docs = await loadPackuments(store, (name) => store.getJson(keys.manifest(name)));
 */
export async function loadPackuments(store: Store, read: (name: string) => Promise<Packument | null>): Promise<Packument[]> {
  const docs = await Promise.all((await listPackageNames(store)).map(read));
  return docs.filter(isLive);
}

/** Registry-wide figures for `registry:stats`. */
export interface RegistryStats {
  packages: number;
  versions: number;
  /** Bytes of all stored tarballs. */
  bytes: number;
  downloads: number;
  perPackage: Array<{ name: string; versions: number; bytes: number; downloads: number }>;
}

/**
 * Packages, versions, tarball bytes and downloads over the given packuments.
 * @example
 * const { packages, downloads } = await computeStats(store, docs);
 */
export async function computeStats(store: Store, docs: Packument[]): Promise<RegistryStats> {
  const perPackage = await Promise.all(docs.map(async (doc) => {
    const counts = await store.getJson<DownloadCounts>(downloadsKey(doc.name));
    const bytes = Object.keys(doc.versions).reduce((n, v) => n + (doc._fw?.sizes?.[v] ?? 0), 0);
    return { name: doc.name, versions: Object.keys(doc.versions).length, bytes, downloads: counts?.total ?? 0 };
  }));
  return {
    packages: perPackage.length,
    versions: perPackage.reduce((n, p) => n + p.versions, 0),
    bytes: perPackage.reduce((n, p) => n + p.bytes, 0),
    downloads: perPackage.reduce((n, p) => n + p.downloads, 0),
    perPackage,
  };
}

/**
 * npm's `/-/v1/search` answer. Every word of `text` must match the name, description or keywords
 * (`keywords:x` only keywords); exact name matches first, then by name.
 * @example
 * search(docs, 'react keywords:ui', 20, 0, new Date()).objects[0].package.name;
 */
export function search(docs: Packument[], text: string, size: number, from: number, now: Date) {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = docs.map(summarize).filter((s) => words.every((w) => {
    const kw = (s.keywords ?? []).map((k) => k.toLowerCase());
    if (w.startsWith('keywords:')) return w.slice(9).split(',').some((k) => kw.includes(k));
    return s.name.toLowerCase().includes(w) || (s.description ?? '').toLowerCase().includes(w) || kw.some((k) => k.includes(w));
  }));
  const exact = (s: PackageSummary) => (words.includes(s.name.toLowerCase()) ? 0 : 1);
  hits.sort((a, b) => exact(a) - exact(b) || a.name.localeCompare(b.name));
  const objects = hits.slice(from, from + size).map((s) => {
    const doc = docs.find((d) => d.name === s.name)!;
    const publisher = doc.versions[s.version]?._npmUser as { name: string } | undefined;
    const pkg: Record<string, unknown> = {
      name: s.name, version: s.version, description: s.description ?? '', keywords: s.keywords ?? [],
      date: String(doc.time[s.version] ?? s.modified), links: {},
      maintainers: (doc.maintainers ?? []).map((m) => ({ username: m.name, ...(m.email ? { email: m.email } : {}) })),
    };
    if (publisher) pkg.publisher = { username: publisher.name };
    const score = exact(s) === 0 ? 1 : 0.5;
    return {
      package: pkg, score: { final: score, detail: { quality: score, popularity: score, maintenance: score } },
      searchScore: score, downloads: { monthly: 0, weekly: 0 }, flags: s.deprecated ? { deprecated: s.deprecated } : {},
    };
  });
  return { objects, total: hits.length, time: now.toUTCString() };
}
