/**
 * The commented registry.config.json5 that `registry:config:init` writes: the defaults written out.
 * `upstream` (the registry in the user's npm config) is the uplink; default the public npm registry.
 * @example
 * await writeFile('registry.config.json5', configTemplate({ upstream: 'https://registry.npmjs.org/' }));
 */
export function configTemplate(opts: { upstream?: string } = {}): string {
  const upstream = opts.upstream?.trim() || 'https://registry.npmjs.org/';
  return `// FactoryWager Registry configuration (JSON5: comments and trailing commas are fine).
// Environment variables override these settings: REGISTRY_PORT, REGISTRY_URL, REGISTRY_SECRET,
// FW_DATA_DIR, VERSION_CACHE_TTL, SECRETS_CACHE_TTL, and R2_* / S3_ENDPOINT for the storage.
{
  listen: { host: '127.0.0.1', port: 4873 },

  // The URL clients use to reach this server (tarball links). Defaults to http://<host>:<port>.
  // publicUrl: 'https://npm.example.com',

  // Where packages live. The default is a folder on disk; for R2 or any S3 API:
  //   storage: { driver: 's3', bucket: 'registry', accountId: '<cloudflare account id>',
  //              accessKeyId: '...', secretAccessKey: '...' },   // better: the R2_* variables
  storage: { driver: 'fs', root: './.factorywager' },
  dataDir: './.factorywager',

  auth: {
    mode: 'jwt',
    // Signing secret for tokens (at least 32 characters). Leave it out: one is generated once and
    // kept in the store. Prefer REGISTRY_SECRET over writing it here.
    // secret: '...',
    tokenTtl: '30d',
    allowRegistration: true,   // may \`npm adduser\` create users? (never the names below: fw registry user add)
    maxLoginAttempts: 10,      // failed logins per user from one address per 15 minutes (5x that per address)
    maxSignupsPerAddress: 10,  // accounts open sign-up creates per address per hour
    trustProxy: false,         // read the client address from X-Forwarded-For (behind your proxy only)
  },

  // Roles of users, used by the package rules below.
  users: {
    // alice: { roles: ['admins'] },
  },

  // Ordered rules: the first whose pattern matches a package name decides.
  // Grantees: user names, role names, $all, $authenticated, $anonymous.
  // A rule with private: true (or without proxy) reserves its names: they are never fetched from,
  // merged with, or sent to an uplink, so nobody can stand in for them upstream.
  packages: [
    // { pattern: '@acme/*', access: ['$authenticated'], publish: ['admins'], unpublish: ['admins'], private: true },
    { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'], proxy: ['upstream'] },
  ],

  // Upstream registries for names not published here (the registry of your npm config when this
  // file was written). A name published here is never looked up upstream. uplinks: {} turns the
  // proxy off (so does \`registry:start --no-proxy\`).
  uplinks: {
    upstream: { url: '${upstream.replace(/'/g, "\\'")}', timeout: 30000, maxage: 120 },
  },

  // Supply-chain guard: upstream versions younger than this are left out of proxied packuments
  // (latest falls back to the newest mature version; their tarballs are refused). 0 turns it off.
  minReleaseAge: '1d',
  minReleaseAgeExclude: [
    // '@types/*',
  ],
  upstreamSearchTimeout: 1500,         // ms that search waits for the uplinks' results

  limits: {
    maxBodySize: 104857600,        // bytes; largest publish accepted (100 MB)
    maxUnpackedSize: 419430400,    // bytes a publish's tarball may inflate to (400 MB)
    maxTarballEntries: 100000,     // files, folders and headers in one tarball
    maxDistTags: 100,              // dist-tags per package
    maxDeprecationLength: 1024,    // characters of a deprecation message
    maxReadmeSize: 1048576,        // bytes of a README (1 MB)
  },
  versionCacheTtl: 300,                  // seconds

  // The package index behind the package list and search (derived data, rebuilt when missing).
  index: { cacheTtl: 1, rebuildAfter: '1d', searchQueries: 64, callers: 100 },   // seconds another replica's change may take to show; full rebuild age; queries whose hits are kept per caller; callers whose readable entries are kept per view

  // In-memory caches of one server process (0 turns one off). packumentRevalidate 0: every GET checks
  // the store, so another replica's publish shows on the next GET (on a local disk through the change
  // map, without I/O; changeMapMaxAge: seconds before a head checks what the map cannot see).
  cache: { packumentRevalidate: 0, changeMapMaxAge: 1, packuments: 1000, packumentBytes: 67108864, tarballBytes: 16777216, tarballMaxSize: 262144, statsTtl: 10, webListPages: 100 },

  // Release feeds rss:fetch reads when given no URL; none: this registry's /-/rss.
  feeds: [
    // 'https://npm.example.com/-/rss/@acme?format=atom',
  ],
}
`;
}
