import type { SecretEnvelope } from './envelope.ts';
import type { RotationStatus } from './policy.ts';

/** What changed a secret. */
export type SecretAction = 'create' | 'update' | 'rotate' | 'rollback' | 'delete';

/** One event in a secret's history (metadata only). `delete` events point at the version current then. */
export interface SecretHistoryEntry {
  version: number;
  action: SecretAction;
  at: string;
  actor: string;
  env?: string;
  /** For a rollback: the version whose value was restored. */
  from?: number;
  /** True once retention (`maxVersions`) destroyed this version's envelope. */
  destroyed?: boolean;
}

/** `secrets/{key}/current.json`: metadata of the current version, never a value. */
export interface SecretMetadata {
  format: 'fw-secret-current';
  v: 1;
  key: string;
  /** The committed current version (0 while the first write is in flight). */
  version: number;
  /** The highest version number allocated so far. */
  latest: number;
  createdAt: string;
  updatedAt: string;
  actor: string;
  /** Environment the secret is restricted to (readable only when FW_ENV matches). */
  env?: string;
  tags?: string[];
  /** Own rotation schedule, overriding the policy's pattern rules. */
  maxAgeDays?: number;
  /** Where this machine put the current value when it was written. */
  storage: 'bun-secrets' | 'file-vault';
  /** HMAC (under a key derived from the master key) of key, version and value: detects a stale keychain item. */
  check?: string;
  deleted?: { at: string; actor: string };
  history: SecretHistoryEntry[];
}

/** `secrets/{key}/versions/{n}.json`: an AES-256-GCM envelope plus who, when, what. */
export interface StoredVersion extends SecretEnvelope {
  action: SecretAction;
  at: string;
  actor: string;
  env?: string;
  from?: number;
}

/** One row of `listSecrets()`. */
export interface SecretSummary {
  key: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  actor: string;
  env?: string;
  tags?: string[];
  ageDays: number;
  rotation: RotationStatus;
  maxAgeDays?: number;
  deleted: boolean;
  storage: 'bun-secrets' | 'file-vault';
}

/** One version as `getSecretVersions()` returns it, newest first. */
export interface SecretVersionInfo extends SecretHistoryEntry {
  current: boolean;
}

/** What `initialize()` reports (for `secrets:init`). */
export interface InitializeResult {
  backend: 'bun-secrets' | 'file-vault';
  /** Why this backend: the probe's outcome or the option that chose it. */
  reason: string;
  service: string;
  masterKeySource: 'keychain' | 'FW_MASTER_KEY' | 'key-file';
  /** True when this call created the master key (keychain item or key file). */
  masterKeyCreated: boolean;
  dataDir: string;
  store: string;
}
