/** What a key is to the sync: it decides the order of the copy and how a write is guarded. */
export type SyncKind = 'tarball' | 'manifest' | 'versions' | 'secret' | 'auth';

/** A key the sync may copy. */
export interface SyncEntry {
  key: string;
  kind: SyncKind;
  /** The package a `packages/` key belongs to. */
  pkg?: string;
}

/**
 * The prefixes a sync reads, on both sides. Everything else in the data folder stays local: the
 * master key file and the file vault (`.secrets/`), the docs and feed caches, the sync journal.
 */
export const SYNC_PREFIXES = ['packages/', 'versions/', 'secrets/', 'auth/'] as const;

const PACKAGE_KEY = /^packages\/((?:@[^/]+\/)?[^/@][^/]*)\/([^/]+)$/;
const SECRET_KEY = /^secrets\/(?:_audit\/.+\.json|.+\/current\.json|.+\/versions\/\d+\.json)$/;
const AUTH_KEY = /^auth\/(?:users\/[^/]+\.json|tokens\/[^/]+\/[^/]+\.json)$/;

/** Options of {@link classifyKey}. */
export interface ClassifyOptions {
  /**
   * Also copy `auth/secret.json`, the token signing secret kept in plaintext when REGISTRY_SECRET is
   * unset. Default false: set REGISTRY_SECRET on both sides instead, or pass this knowingly.
   */
  includeAuthSecret?: boolean;
}

/**
 * The kind of a key, or null for a key that never travels.
 * @example
 * classifyKey('packages/@acme/ui/ui-1.0.0.tgz'); // { key, kind: 'tarball', pkg: '@acme/ui' }
 * classifyKey('.secrets/master.key');            // null
 */
export function classifyKey(key: string, options: ClassifyOptions = {}): SyncEntry | null {
  const pkg = PACKAGE_KEY.exec(key);
  if (pkg) {
    const [, name, file] = pkg as unknown as [string, string, string];
    if (file === 'manifest.json') return { key, kind: 'manifest', pkg: name };
    if (file.endsWith('.tgz')) return { key, kind: 'tarball', pkg: name };
    return null;
  }
  if (key.startsWith('versions/') && key.endsWith('.json')) return { key, kind: 'versions' };
  if (SECRET_KEY.test(key)) return { key, kind: 'secret' };
  if (AUTH_KEY.test(key)) return { key, kind: 'auth' };
  if (key === 'auth/secret.json' && options.includeAuthSecret) return { key, kind: 'auth' };
  return null;
}

/** The formats of the objects under `secrets/`: encrypted envelopes, metadata without values, the audit. */
const SECRET_FORMATS = new Set(['fw-secret-envelope', 'fw-secret-current', 'fw-secrets-audit']);

/**
 * True when the bytes of a `secrets/` object are one of the formats that may leave the machine: a
 * version is an AES-256-GCM envelope, `current.json` holds metadata only, the audit names no values.
 * @example
 * mayTravel('secrets/db/versions/1.json', bytes); // true for an envelope
 */
export function mayTravel(key: string, body: Uint8Array): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return false;
  }
  const format = (doc as { format?: unknown } | null)?.format;
  if (typeof format !== 'string' || !SECRET_FORMATS.has(format)) return false;
  if (key.includes('/versions/')) return format === 'fw-secret-envelope' && (doc as { alg?: unknown }).alg === 'AES-256-GCM';
  if (key.endsWith('/current.json')) return format === 'fw-secret-current';
  return format === 'fw-secrets-audit';
}

/** Copy order: tarballs, then everything that is neither a tarball nor a manifest, then manifests. */
export const PHASES: ReadonlyArray<ReadonlyArray<SyncKind>> = [['tarball'], ['versions', 'secret', 'auth'], ['manifest']];
