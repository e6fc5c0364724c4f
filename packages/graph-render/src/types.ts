/**
 * The graph the renderers draw. Structural, so `@factorywager/semver-graph`'s `VersionGraph` fits
 * without this package depending on it; any producer of the same shape works too.
 */
export interface RenderableGraph {
  name: string;
  /** What `latest` points to. */
  current?: string | null;
  /** The highest version. */
  latest?: string | null;
  /** The version a rollback would pick (the Rollback Ready one). */
  rollback?: string | null;
  /** Every dist-tag and the version it points at. */
  distTags?: Readonly<Record<string, string>>;
  /** How many versions there are in all when `nodes` holds only the newest ones. */
  total?: number;
  /** Newest first. */
  nodes: readonly RenderableNode[];
  links: readonly RenderableLink[];
}

/** `current`, `rollback`, `deprecated` or `archived` (other strings render as given). */
export type RenderableStatus = 'current' | 'rollback' | 'deprecated' | 'archived' | (string & {});

/** One version. */
export interface RenderableNode {
  id: string;
  status: RenderableStatus;
  tags?: readonly string[];
  /** ISO date. */
  publishedAt?: string | null;
  publisher?: string | null;
  /** The deprecation message. */
  deprecated?: string | null;
  /** The release line (lane) the version stands on, e.g. `3.x` or `4.0.0-pre`. */
  line?: string | null;
  prerelease?: boolean;
}

/** An edge between two node ids, typed `patch`, `minor`, `major` or `prerelease`. */
export interface RenderableLink {
  source: string;
  target: string;
  type: string;
}

/** One event in a history, for {@link renderHistoryAscii}. */
export interface HistoryEntry {
  /** Version number or label, shown as `v3` for 3. */
  version: number | string;
  /** What happened: create, update, rotate, rollback, delete... */
  action: string;
  /** ISO date or any text. */
  date?: string | null;
  actor?: string | null;
  /** A short detail after the action, e.g. `1.3.0 → 1.2.0` for a tag move. */
  detail?: string | null;
  /** A longer note (a reason), shown on the line below. */
  note?: string | null;
}
