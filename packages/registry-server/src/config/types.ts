import type { StoreConfig } from '@factorywager/r2-store';

/** Users, roles and the special groups `$all`, `$authenticated`, `$anonymous`. */
export type Grantee = string;

/** One ordered package rule (Verdaccio-style); the first whose pattern matches decides. */
export interface PackageRule {
  /** Glob over package names: `@scope/*`, `**`, `internal-*`. */
  pattern: string;
  access: Grantee[];
  publish: Grantee[];
  unpublish: Grantee[];
  /** Uplink names to proxy for names matching this rule. */
  proxy?: string[];
  /**
   * Reserves the names of this rule for this registry: never proxied, never sent to an uplink (audit,
   * search), whatever `proxy` says. A rule without `proxy` reserves its names too.
   */
  private?: boolean;
  /**
   * Default true: a grant through a group (`$all`, `$authenticated`, `$anonymous`) lets one create a
   * package, and from then on only its maintainers publish, tag, deprecate or unpublish it. Grants
   * to named users and roles always apply. False: a group grant applies to every package as well.
   */
  maintainersOnly?: boolean;
}

export interface UplinkConfig {
  url: string;
  /** Request timeout in ms. */
  timeout: number;
  /** Seconds a cached upstream packument stays fresh (then revalidated with a conditional request). */
  maxage: number;
  /** Failures in a row (timeout, network error, 5xx) after which the uplink is left alone; 0 never. Default 2. */
  maxFails?: number;
  /** Seconds an uplink that failed `maxFails` times in a row is left alone. Default 60. */
  failTimeout?: number;
  /** Where the URL came from when no config named it (e.g. `~/.npmrc`); for the start-up lines. */
  origin?: string;
}

export interface SecretRoleGrant {
  actions: Array<'read' | 'write' | 'rotate' | 'delete'>;
  /** Glob over secret keys. */
  keys: string[];
  /** Environments the grant applies in; absent means every environment. */
  environments?: string[];
}

export interface SecretsConfig {
  /** Role name -> grants. */
  roles: Record<string, SecretRoleGrant[]>;
  /** Rotation schedules: max age in days per key pattern. */
  rotation: Array<{ pattern: string; maxAgeDays: number }>;
  /** Versions kept per key (older ones destroyed). */
  maxVersions: number;
  /** SECRETS_CACHE_TTL, seconds. */
  cacheTtl: number;
}

export interface RegistryConfig {
  /** Where the config was read from, for error messages; undefined for defaults only. */
  source?: string;
  listen: { host: string; port: number };
  /** REGISTRY_URL: the public URL tarball links use. Defaults to http://<host>:<port>. */
  publicUrl: string;
  storage: StoreConfig;
  /** FW_DATA_DIR: the fs driver's folder and local caches. */
  dataDir: string;
  auth: {
    mode: 'jwt';
    /** REGISTRY_SECRET; when unset one is generated once and kept in the store. */
    secret?: string;
    /** Token lifetime, e.g. '30d'. */
    tokenTtl: string;
    /** Whether `npm adduser` may create users. */
    allowRegistration: boolean;
    /**
     * Failed logins per user from one address before RATE_LIMITED, per 15 minutes (one address may fail
     * five times as often over all user names).
     */
    maxLoginAttempts: number;
    /** Accounts open sign-up may create from one address per hour. Default 10. */
    maxSignupsPerAddress: number;
    /** Take the client address from X-Forwarded-For (only behind a proxy you run). Default false. */
    trustProxy: boolean;
  };
  /** user -> roles (used by package rules and secrets policies). */
  users: Record<string, { roles: string[] }>;
  packages: PackageRule[];
  uplinks: Record<string, UplinkConfig>;
  /**
   * Seconds an upstream version must have been published before it is proxied (the supply-chain
   * guard; default 86400, one day; 0 turns it off). Local packages are never held back.
   */
  minReleaseAge: number;
  /** Package patterns exempt from `minReleaseAge`. */
  minReleaseAgeExclude: string[];
  /** Milliseconds `/-/v1/search` waits for the uplinks' results before answering without them. */
  upstreamSearchTimeout: number;
  limits: {
    /** Largest request body in bytes (a publish carries its tarball in base64). */
    maxBodySize: number;
    /** Bytes a publish's tarball may inflate to (tar headers and data). */
    maxUnpackedSize: number;
    /** Entries (files, folders, metadata headers) a publish's tarball may hold. */
    maxTarballEntries: number;
    /** dist-tags one package may have. */
    maxDistTags: number;
    /** Characters of one deprecation message. */
    maxDeprecationLength: number;
    /** UTF-8 bytes of a README. */
    maxReadmeSize: number;
  };
  /** VERSION_CACHE_TTL, seconds. */
  versionCacheTtl: number;
  /** The package index behind the list and search (derived data under `index/packages/`). */
  index: {
    /** Seconds a replica serves its copy of the index before a `head` per shard (0: every request). */
    cacheTtl: number;
    /** Rebuild from the manifests when the last rebuild is older than this (a duration such as '1d'). */
    rebuildAfter: string;
    /**
     * Distinct queries whose hits the search keeps per index view and caller (least recently asked
     * goes first; a change of the index starts afresh). 0: none kept.
     */
    searchQueries: number;
    /**
     * Distinct callers (name and roles) whose readable entries are kept per index view, least recently
     * seen forgotten first. Callers with the same rights share one list; one who may not read every
     * package costs a byte per package, its list and its kept answers (the search index is one per view).
     */
    callers: number;
  };
  /** In-memory caches of one server process (each bounded; 0 turns a cache off). */
  cache: {
    /**
     * Seconds a cached packument is served without a `head` of its manifest. Default 0: every GET
     * revalidates (shared by the GETs that arrive while one is in flight), so a replica never serves
     * a packument older than one revalidation; above 0 another replica's publish may take that long to show.
     */
    packumentRevalidate: number;
    /**
     * Seconds the fs store's change map may stand in for that `head`: a GET whose manifest's slot in
     * the map has not moved since the last head is answered from memory, without I/O. Writes through
     * the store library show at once; a write the map cannot see (a file replaced by hand, a writer
     * killed between its commit and its stamp) shows within this time. 0: a head on every GET.
     */
    changeMapMaxAge: number;
    /** Packuments held parsed and serialized (the one read from the store longest ago goes first). */
    packuments: number;
    /** Bytes those packuments may hold in all (serialized forms, gzip, and the parsed document estimated). */
    packumentBytes: number;
    /** Bytes of tarballs held in memory in all (each served only while the manifest lists its version with its integrity). */
    tarballBytes: number;
    /** Largest tarball held in memory; bigger ones are streamed from the store on every GET. */
    tarballMaxSize: number;
    /** Seconds `/-/fw/stats` answers from its last count of downloads and sizes. */
    statsTtl: number;
    /**
     * Web list pages (`/?page=…&q=…`) kept encoded for logged-out visitors, by path and query, each
     * while its total and rows read the same (least recently served goes first). 0: none kept.
     */
    webListPages: number;
  };
  secrets: SecretsConfig;
  /** Feed URLs (RSS 2.0 or Atom) that `rss:fetch` reads when given none; empty: this registry's `/-/rss`. */
  feeds: string[];
}
