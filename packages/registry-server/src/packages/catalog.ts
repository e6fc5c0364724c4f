import { keys, type Store } from '@factorywager/r2-store';
import { isLive, type Packument } from './packument.ts';
import { downloadsKey, type DownloadCounts } from './downloads.ts';

/**
 * Every package name with a folder under `packages/` (scoped names included), sorted.
 * @example
 * await listPackageNames(store); // ['@acme/ui', 'left-pad']
 */
export async function listPackageNames(store: Store): Promise<string[]> {
  return listNamesUnder(store, keys.packagesPrefix());
}

/**
 * Every package name with a folder under `prefix` (`packages/`, `cache/uplinks/`), sorted.
 * @example
 * await listNamesUnder(store, 'cache/uplinks/'); // ['left-pad']
 */
export async function listNamesUnder(store: Store, root: string): Promise<string[]> {
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
  await walk(root, null);
  return names.sort();
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
