/**
 * The storage key layout of DESIGN.md, in one place. Every driver stores the same keys.
 * Package names must be validated (validate-npm-package-name) before they reach these functions;
 * `validateKey` is the last line of defence, not the first.
 * @example
 * keys.manifest('@scope/pkg')          // 'packages/@scope/pkg/manifest.json'
 * keys.tarball('@scope/pkg', 'pkg-1.0.0.tgz')
 */
export const keys = {
  manifest: (name: string) => `packages/${name}/manifest.json`,
  tarball: (name: string, file: string) => `packages/${name}/${file}`,
  packagePrefix: (name: string) => `packages/${name}/`,
  packagesPrefix: () => 'packages/',
  versionGraph: (name: string) => `versions/${name}/graph.json`,
  versionRecord: (name: string, version: string) => `versions/${name}/${version}.json`,
  /** The history of stores written before history became append-only (read, never written). */
  versionHistory: (name: string) => `versions/${name}/history.json`,
  /** One object per history event or batch of events, under this prefix (see `appendLog`). */
  versionHistoryPrefix: (name: string) => `versions/${name}/history/`,
  versionsPrefix: (name: string) => `versions/${name}/`,
  secretCurrent: (key: string) => `secrets/${key}/current.json`,
  secretVersion: (key: string, n: number) => `secrets/${key}/versions/${n}.json`,
  secretVersionsPrefix: (key: string) => `secrets/${key}/versions/`,
  secretsPrefix: () => 'secrets/',
  bunxCache: (pkg: string, version: string) => `cache/bunx/${pkg}@${version}/`,
  uplinkPackument: (name: string) => `cache/uplinks/${name}/packument.json`,
  uplinkTarball: (name: string, file: string) => `cache/uplinks/${name}/${file}`,
  uplinkCachePrefix: () => 'cache/uplinks/',
  packageIndexPrefix: () => 'index/packages/',
} as const;
