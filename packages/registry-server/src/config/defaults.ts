import type { RegistryConfig } from './types.ts';

/** The public npm registry: the default uplink when no npm config names another. */
export const NPM_PUBLIC_REGISTRY = 'https://registry.npmjs.org/';

/**
 * The embedded defaults, before the environment: fs storage in ./.factorywager, 127.0.0.1:4873,
 * one rule (`**`: access $all, publish and unpublish $authenticated, proxied to the uplink
 * `upstream`, the public npm registry, or the registry of the user's npm config when loaded by
 * `loadRegistryConfig`), upstream versions younger than a day held back, registration allowed.
 * @example
 * baseConfig().listen; // { host: '127.0.0.1', port: 4873 }
 */
export function baseConfig(): RegistryConfig {
  return {
    listen: { host: '127.0.0.1', port: 4873 },
    publicUrl: 'http://127.0.0.1:4873',
    storage: { driver: 'fs', root: './.factorywager' },
    dataDir: './.factorywager',
    auth: { mode: 'jwt', tokenTtl: '30d', allowRegistration: true, maxLoginAttempts: 10, maxSignupsPerAddress: 10, trustProxy: false },
    users: {},
    packages: [{ pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'], proxy: ['upstream'] }],
    uplinks: { upstream: { url: NPM_PUBLIC_REGISTRY, timeout: 30_000, maxage: 120 } },
    minReleaseAge: 86_400,
    minReleaseAgeExclude: [],
    upstreamSearchTimeout: 1500,
    limits: {
      maxBodySize: 100 * 1024 * 1024, maxUnpackedSize: 400 * 1024 * 1024, maxTarballEntries: 100_000,
      maxDistTags: 100, maxDeprecationLength: 1024, maxReadmeSize: 1024 * 1024,
    },
    versionCacheTtl: 300,
    index: { cacheTtl: 1, rebuildAfter: '1d', searchQueries: 64, callers: 100 },
    cache: { packumentRevalidate: 0, changeMapMaxAge: 1, packuments: 1000, packumentBytes: 64 * 1024 * 1024, tarballBytes: 16 * 1024 * 1024, tarballMaxSize: 256 * 1024, statsTtl: 10, webListPages: 100 },
    secrets: { roles: {}, rotation: [], maxVersions: 20, cacheTtl: 300 },
    feeds: [],
  };
}
