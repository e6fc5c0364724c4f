/** A parsed semantic version. */
export interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
  /** Prerelease identifiers: numbers for numeric ones (`1.0.0-beta.2` -> `['beta', 2]`). */
  prerelease: Array<string | number>;
  /** Build metadata identifiers (`1.0.0+sha.abc` -> `['sha', 'abc']`). */
  build: string[];
  /** The normalised version without build metadata (`v1.2.3` -> `1.2.3`). */
  version: string;
  /** The input as given. */
  raw: string;
}

/** The bumps {@link recommendVersion} understands. */
export type BumpType = 'major' | 'minor' | 'patch' | 'premajor' | 'preminor' | 'prepatch' | 'prerelease';

/** The result of {@link recommendVersion}. */
export interface Recommendation {
  current: string;
  bump: BumpType;
  preid: string | undefined;
  /** The version the bump leads to. */
  next: string;
  /** What every bump would give from `current` (with the same preid). */
  candidates: Record<BumpType, string>;
}

/** `current`: the dist-tag `latest`; `rollback`: what a rollback picks, or another tag; `deprecated`; `archived`: the rest. */
export type VersionStatus = 'current' | 'rollback' | 'deprecated' | 'archived';

/** How a version follows the one before it on its release line. */
export type LinkType = 'patch' | 'minor' | 'major' | 'prerelease';

/** One version in a {@link VersionGraph}. */
export interface VersionNode {
  /** The version string. */
  id: string;
  status: VersionStatus;
  /** Dist-tags pointing at this version. */
  tags: string[];
  /** ISO date from the packument's `time`, or null. */
  publishedAt: string | null;
  /** `_npmUser`, else the first maintainer, or null. */
  publisher: string | null;
  /** The deprecation message, or null. */
  deprecated: string | null;
  /** The release line (lane): `3.x` for stable 3.* versions, `4.0.0-pre` for prereleases of 4.0.0. */
  line: string;
  prerelease: boolean;
}

/** An edge from one version to the next on its line (or from one line into the next). */
export interface VersionLink {
  source: string;
  target: string;
  type: LinkType;
}

/** A package's versions as a graph: nodes newest first by semver precedence. */
export interface VersionGraph {
  name: string;
  /** What the dist-tag `latest` points to. */
  current: string | null;
  /** The highest version by semver precedence (stable or not). */
  latest: string | null;
  /**
   * What a rollback would pick: the newest non-deprecated stable version below `current`, or the
   * version the last rollback replaced (see {@link GraphOptions.rolledBackFrom}).
   */
  rollback: string | null;
  /** All dist-tags of the packument. */
  distTags: Record<string, string>;
  /** Versions that matched `range` and `since`, before `limit` (so a renderer can fold the rest). */
  total: number;
  nodes: VersionNode[];
  links: VersionLink[];
}

/** Options of {@link buildVersionGraph}. */
export interface GraphOptions {
  /** Keep the versions that satisfy this semver range (prereleases included). */
  range?: string;
  /** Keep the newest N versions (after `range` and `since`). */
  limit?: number;
  /** Keep versions published on or after this date. */
  since?: string | Date;
  /**
   * The version `latest` pointed at before the rollback that put it where it is now. When it is
   * still published and not deprecated, it is the graph's `rollback` (Rollback Ready) version, so
   * rolling forward again is the same command.
   */
  rolledBackFrom?: string | null;
}

/** A person in a packument. */
export interface PackumentPerson {
  name?: string;
  email?: string;
}

/** One version's manifest inside a packument (only the fields the graph reads). */
export interface PackumentVersion {
  version?: string;
  deprecated?: string | boolean;
  _npmUser?: PackumentPerson;
  maintainers?: PackumentPerson[];
  [key: string]: unknown;
}

/** An npm packument (the document `GET /{name}` returns), as far as the graph reads it. */
export interface Packument {
  name: string;
  'dist-tags'?: Record<string, string>;
  versions?: Record<string, PackumentVersion>;
  time?: Record<string, string>;
  maintainers?: PackumentPerson[];
  [key: string]: unknown;
}
