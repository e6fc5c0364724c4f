/**
 * What the web UI reads from the registry. Structural, so this package does not depend on the
 * registry server (which depends on it to mount the pages). Reads take the session's bearer token
 * (null when logged out) and apply the registry's access rules; changes do not go through here but
 * through `api`, the registry's own HTTP API, exactly as the CLI sends them.
 */
export interface WebSource {
  /** The user a token belongs to, or null for an invalid, expired or revoked token. */
  whoami(token: string): Promise<{ name: string } | null>;
  /** One page of the package list (matching `q` when given), readable by the token's user. */
  list(token: string | null, query: ListQuery): Promise<ListResult>;
  /** Everything a package page shows; null when there is no such package (or the user may not see it). */
  package(token: string | null, name: string, version: string | null): Promise<PackageData | null>;
  /**
   * The registry's HTTP API, in process (login, rollback, dist-tags, deprecate). `from` is the
   * browser's request it is made for (the login limits count its client address).
   */
  api(req: Request, from?: Request): Promise<Response>;
}

/** A list request. */
export interface ListQuery {
  /** Search words (npm search syntax); empty for every package. */
  q: string;
  from: number;
  size: number;
}

/** One row of the list. */
export interface ListRow {
  name: string;
  version: string;
  description?: string;
  modified: string;
  versions: number;
  deprecated?: string;
  license?: string;
  publisher?: string;
  /** Set for an uplink's cached copy (not published here): the uplink's name. */
  uplink?: string;
}

export interface ListResult {
  total: number;
  rows: ListRow[];
}

/** One version's manifest, as far as the pages read it. */
export interface WebManifest {
  version?: string;
  description?: unknown;
  license?: unknown;
  homepage?: unknown;
  repository?: unknown;
  deprecated?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  _npmUser?: { name?: string };
  dist?: { unpackedSize?: number; fileCount?: number; integrity?: string };
  [field: string]: unknown;
}

/** One event of a package's history. */
export interface WebHistoryEvent {
  type: string;
  actor: string;
  time: string;
  version?: string;
  tag?: string;
  before?: unknown;
  after?: unknown;
  /** A rollback's reason, when given. */
  reason?: string;
  /** False for a tag change that found the tag there already. */
  changed?: boolean;
}

/** The data of a package page. */
export interface PackageData {
  name: string;
  description?: string;
  distTags: Record<string, string>;
  versions: Record<string, WebManifest>;
  /** `created`, `modified` and one publish time per version. */
  time: Record<string, unknown>;
  /** Tarball size in bytes per version, where known. */
  sizes: Record<string, number>;
  /** Downloads per version. */
  downloads: Record<string, number>;
  /** The README of the requested version (or of the latest one), or null. */
  readme: string | null;
  maintainers: Array<{ name: string; email?: string }>;
  /** Packages here whose latest version depends on this one. */
  dependents: string[];
  /** Newest last. */
  history: WebHistoryEvent[];
  /** Set for an uplink's cached copy: the uplink's name. */
  uplink: string | null;
  /** Whether the user may publish (and so tag, deprecate and roll back) this package. */
  canPublish: boolean;
  /** For an uplink's copy: upstream versions the release-age guard holds back (not served yet). */
  quarantined?: Array<{ version: string; publishedAt: string | null; maturesAt: string | null }>;
  /** The guard's minimum release age in seconds (0: off or exempt). */
  minReleaseAge?: number;
}
