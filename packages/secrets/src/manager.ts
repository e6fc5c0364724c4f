import { keys, type Store } from '@factorywager/r2-store';
import { AuditLog, AUDIT_PREFIX, type AuditEntry } from './audit.ts';
import { openBackends, type Backends } from './_backends.ts';
import { decryptEnvelope } from './envelope.ts';
import { SecretsError, isSecretsError } from './errors.ts';
import { registryCredentialsKey, validateSecretKey } from './key-name.ts';
import { assertAccess, checkAccess, rotationStatus, type SecretAction as PolicyAction, type SecretsPolicy } from './policy.ts';
import { makeCheck, purgeObjects, withKeyLock, writeVersion, type WriteContext } from './_write.ts';
import { renderVersionGraph } from './version-graph.ts';
import { numberOr, osUser } from './_env.ts';
import type { InitializeResult, SecretMetadata, SecretSummary, SecretVersionInfo, StoredVersion } from './types.ts';

/** Options of {@link RegistrySecretsManager}. Everything but `store` has a default from the environment. */
export interface SecretsManagerOptions {
  store: Store;
  /** Keychain service name. Default FW_KEYCHAIN_SERVICE, else `factorywager`. */
  service?: string;
  /** Data folder: the file vault and master key file live in its `.secrets/` subfolder. Default FW_DATA_DIR, else `./.factorywager`. */
  dataDir?: string;
  /** Environment variables to read (FW_MASTER_KEY, FW_ACTOR, FW_ENV, SECRETS_CACHE_TTL...). Default process.env. */
  env?: Record<string, string | undefined>;
  policy?: SecretsPolicy;
  /** Who the audit names. Default FW_ACTOR, else the OS user. */
  actor?: string;
  /** False forces the file vault. Default true unless FW_SECRETS_BACKEND=vault. */
  useBunSecrets?: boolean;
  /** Read cache TTL in seconds. Default SECRETS_CACHE_TTL, else policy.cacheTtl, else 60. */
  cacheTtl?: number;
  now?: () => Date;
}

/** Options of a write (`setSecret`, `rotateSecret`). */
export interface WriteOptions {
  /** False keeps this secret's current value in the file vault rather than the OS keychain. */
  useBunSecrets?: boolean;
  /** Restrict the secret to an environment (readable only when FW_ENV matches). */
  env?: string;
  actor?: string;
  tags?: string[];
  /** Own rotation schedule in days. */
  maxAgeDays?: number;
}

/**
 * Versioned secrets: the current value in the OS keychain (Bun.secrets) or an encrypted file vault,
 * every version as an AES-256-GCM envelope in the object store, check-and-set version numbers,
 * rotation, rollback, soft delete and purge, roles and environments, and an append-only audit.
 * @example
 * const secrets = new RegistrySecretsManager({ store: createStore({ driver: 'fs', root: '.factorywager' }) });
 * await secrets.initialize();
 * await secrets.setSecret('db/password', 'hunter2');
 * await secrets.rotateSecret('db/password', 'correct horse');
 * await secrets.getSecret('db/password', { version: 1 }); // 'hunter2'
 */
export class RegistrySecretsManager {
  readonly store: Store;
  readonly service: string;
  readonly dataDir: string;
  private readonly env: Record<string, string | undefined>;
  private readonly policy: SecretsPolicy | undefined;
  private readonly defaultActor: string | undefined;
  private readonly useBunSecrets: boolean;
  private readonly ttlMs: number;
  private readonly now: () => Date;
  private readonly audit: AuditLog;
  private readonly cache = new Map<string, { value: string; env?: string; expires: number }>();
  private backends?: Promise<Backends>;

  constructor(options: SecretsManagerOptions) {
    this.store = options.store;
    this.env = options.env ?? process.env;
    this.service = options.service ?? this.env.FW_KEYCHAIN_SERVICE ?? 'factorywager';
    this.dataDir = options.dataDir ?? this.env.FW_DATA_DIR ?? './.factorywager';
    this.policy = options.policy;
    this.defaultActor = options.actor;
    this.useBunSecrets = options.useBunSecrets ?? this.env.FW_SECRETS_BACKEND !== 'vault';
    const ttl = options.cacheTtl ?? numberOr(this.env.SECRETS_CACHE_TTL) ?? options.policy?.cacheTtl ?? 60;
    this.ttlMs = Math.max(0, ttl) * 1000;
    this.now = options.now ?? (() => new Date());
    this.audit = new AuditLog(this.store);
  }

  /** Chooses the backend (probing the keychain) and loads the master key. Idempotent. */
  async initialize(): Promise<InitializeResult> {
    const b = await this.open();
    return {
      backend: b.keychain.name, reason: b.reason, service: this.service, masterKeySource: b.masterKeySource,
      masterKeyCreated: b.masterKeyCreated, dataDir: this.dataDir, store: this.store.name,
    };
  }

  /** Creates or updates `key` (a new version). */
  async setSecret(key: string, value: string, options: WriteOptions = {}): Promise<SecretVersionInfo> {
    return this.write(key, value, 'set', options);
  }

  /** Writes a new version of an existing secret with action `rotate`. */
  async rotateSecret(key: string, newValue: string, options: WriteOptions = {}): Promise<SecretVersionInfo> {
    return this.write(key, newValue, 'rotate', options);
  }

  /** Makes the value of `version` current again, as a new version with action `rollback` (restores a soft-deleted secret). */
  async rollbackSecret(key: string, version: number, options: { actor?: string } = {}): Promise<SecretVersionInfo> {
    validateSecretKey(key);
    const actor = this.actor(options.actor);
    const meta = await this.meta(key);
    await this.guard(actor, 'write', 'rollback', key, meta?.env);
    if (!meta || meta.version === 0) throw this.notFound(key);
    const value = await this.readVersion(key, meta, version);
    return this.write(key, value, 'rollback', { actor }, version);
  }

  /** The current value, or the value of `options.version`. Throws NOT_FOUND for an absent or deleted secret. */
  async getSecret(key: string, options: { version?: number; actor?: string } = {}): Promise<string> {
    validateSecretKey(key);
    const actor = this.actor(options.actor);
    const cacheKey = `${key}@${options.version ?? 'current'}`;
    const hit = this.cache.get(cacheKey);
    if (hit && hit.expires > Date.now()) {
      await this.guard(actor, 'read', 'read', key, hit.env);
      return hit.value;
    }
    const meta = await this.meta(key);
    const role = await this.guard(actor, 'read', 'read', key, meta?.env);
    if (!meta || meta.version === 0 || meta.deleted) throw this.notFound(key, meta);
    const value = options.version === undefined ? await this.readCurrent(key, meta) : await this.readVersion(key, meta, options.version);
    if (this.ttlMs > 0) this.cache.set(cacheKey, { value, ...(meta.env ? { env: meta.env } : {}), expires: Date.now() + this.ttlMs });
    await this.record({ actor, action: 'read', key, outcome: 'ok', version: options.version ?? meta.version, ...(role ? { role } : {}) });
    return value;
  }

  /** The history of `key`, newest first (metadata only). Needs read access to the key, as `listSecrets` does. */
  async getSecretVersions(key: string, options: { actor?: string } = {}): Promise<SecretVersionInfo[]> {
    validateSecretKey(key);
    await this.guard(this.actor(options.actor), 'read', 'read', key);
    const meta = await this.meta(key);
    if (!meta || meta.version === 0) throw this.notFound(key);
    return [...meta.history].reverse().map((h) => ({ ...h, current: !meta.deleted && h.version === meta.version && h.action !== 'delete' }));
  }

  /** The history tree of `key` drawn by graph-render's `renderHistoryAscii`. */
  generateVersionGraph(key: string, versions: SecretVersionInfo[], options: { color?: boolean } = {}): string {
    return renderVersionGraph(key, versions, options);
  }

  /** Every secret's metadata with its age and rotation status, sorted by key. Soft-deleted ones only with `includeDeleted`. */
  async listSecrets(options: { includeDeleted?: boolean; actor?: string } = {}): Promise<SecretSummary[]> {
    const actor = this.actor(options.actor);
    const names: string[] = [];
    // top-level folders first, so the audit's many objects (one per entry) are never listed here
    const tops: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.list({ prefix: keys.secretsPrefix(), delimiter: '/', ...(cursor ? { cursor } : {}) });
      tops.push(...page.prefixes.filter((p) => p !== AUDIT_PREFIX));
      cursor = page.cursor;
    } while (cursor);
    for (const top of tops) {
      do {
        const page = await this.store.list({ prefix: top, ...(cursor ? { cursor } : {}) });
        for (const k of page.keys) if (k.endsWith('/current.json')) names.push(k.slice(8, -13));
        cursor = page.cursor;
      } while (cursor);
    }
    const now = this.now();
    const out: SecretSummary[] = [];
    for (const name of names.sort()) {
      if (!checkAccess(this.policy, { actor, action: 'read', key: name, ...this.currentEnv() }).allowed) continue;
      const m = await this.store.getJson<SecretMetadata>(keys.secretCurrent(name));
      if (!m || m.version === 0 || (m.deleted && !options.includeDeleted)) continue;
      const r = rotationStatus(this.policy, name, new Date(m.updatedAt), m.maxAgeDays, now);
      out.push({
        key: name, version: m.version, createdAt: m.createdAt, updatedAt: m.updatedAt, actor: m.actor,
        ...(m.env ? { env: m.env } : {}), ...(m.tags ? { tags: m.tags } : {}), ageDays: r.ageDays, rotation: r.status,
        ...(r.maxAgeDays !== undefined ? { maxAgeDays: r.maxAgeDays } : {}), deleted: Boolean(m.deleted), storage: m.storage,
      });
    }
    return out;
  }

  /** Soft delete (history kept, rollback restores); `purge: true` destroys every version and the metadata. */
  async deleteSecret(key: string, options: { purge?: boolean; actor?: string } = {}): Promise<void> {
    validateSecretKey(key);
    const actor = this.actor(options.actor);
    const action = options.purge ? 'purge' : 'delete';
    const meta = await this.meta(key);
    const role = await this.guard(actor, 'delete', action, key, meta?.env);
    if (!meta || (meta.deleted && !options.purge)) throw this.notFound(key, meta);
    const b = await this.open();
    await withKeyLock(key, async () => {
      // The local copy goes first: a crash then leaves metadata that a retry finds (after a purge
      // nothing would lead to the keychain item). Again at the end: a reader elsewhere may have
      // restored it from its envelope meanwhile.
      await this.dropLocal(b, key);
      if (options.purge) {
        await purgeObjects(this.store, key);
      } else {
        const at = this.now().toISOString();
        await this.store.updateJson<SecretMetadata>(keys.secretCurrent(key), (cur) => {
          if (!cur || cur.deleted) return undefined;
          return { ...cur, deleted: { at, actor }, history: [...cur.history, { version: cur.version, action: 'delete', at, actor }] };
        });
      }
      await this.dropLocal(b, key);
    });
    this.invalidate(key);
    await this.record({ actor, action, key, outcome: 'ok', version: meta.version, ...(role ? { role } : {}) });
  }

  /** Stores registry credentials for `host` (a URL or host[:port]) under `registry:<host>`. */
  async storeRegistryCredentials(host: string, credentials: { token: string }, options: WriteOptions = {}): Promise<SecretVersionInfo> {
    if (!credentials?.token) throw new SecretsError('INVALID_VALUE', 'registry credentials need a non-empty token');
    return this.setSecret(registryCredentialsKey(host), JSON.stringify({ token: credentials.token }), options);
  }

  /** The credentials stored for `host`, or null when none are. A bare (non-JSON) value is taken as the token. */
  async getRegistryCredentials(host: string): Promise<{ token: string } | null> {
    let value: string;
    try {
      value = await this.getSecret(registryCredentialsKey(host));
    } catch (err) {
      if (isSecretsError(err, 'NOT_FOUND')) return null;
      throw err;
    }
    try {
      const parsed = JSON.parse(value) as { token?: unknown };
      if (typeof parsed?.token === 'string' && parsed.token) return { token: parsed.token };
    } catch {
      // not JSON: the value is the token itself
    }
    return { token: value };
  }

  /** The audit trail, oldest first (optionally of one key). */
  async getAuditLog(options: { key?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    if (options.key) validateSecretKey(options.key);
    return this.audit.read(options);
  }

  /** Drops the in-process read cache. */
  clearCache(): void {
    this.cache.clear();
  }

  private async write(key: string, value: string, kind: 'set' | 'rotate' | 'rollback', options: WriteOptions, from?: number) {
    validateSecretKey(key);
    if (typeof value !== 'string' || value === '' || value.includes('\0') || value.length > 65_536) {
      throw new SecretsError('INVALID_VALUE', 'a secret value must be a non-empty string of at most 65536 characters with no NUL character');
    }
    const actor = this.actor(options.actor);
    const meta = await this.meta(key);
    const exists = Boolean(meta && meta.version > 0);
    const action = kind === 'set' ? (exists ? 'update' : 'create') : kind;
    const grant = kind === 'rotate' ? 'rotate' : 'write';
    const role = await this.guard(actor, grant, action, key, meta?.env ?? options.env);
    // moving a secret to another environment needs the grant in the new one too
    if (options.env && meta?.env && options.env !== meta.env) await this.guard(actor, grant, action, key, options.env);
    if (kind === 'rotate' && (!exists || meta?.deleted)) {
      await this.record({ actor, action: 'rotate', key, outcome: 'error', reason: 'not found' });
      throw this.notFound(key, meta);
    }
    const ctx: WriteContext = { store: this.store, backends: await this.open(), policy: this.policy, now: this.now, useBunSecrets: options.useBunSecrets ?? true };
    const info = await writeVersion(ctx, { key, value, action, actor, ...(from !== undefined ? { from } : {}), options });
    this.invalidate(key);
    await this.record({ actor, action, key, outcome: 'ok', version: info.version, ...(info.env ? { env: info.env } : {}), ...(role ? { role } : {}) });
    return info;
  }

  private async readCurrent(key: string, meta: SecretMetadata): Promise<string> {
    const b = await this.open();
    const backend = meta.storage === 'file-vault' ? await b.vault() : b.keychain;
    const local = await backend.get(key).catch(() => null);
    if (local !== null && meta.check && (await makeCheck(b.macKey, key, meta.version, local)) === meta.check) return local;
    // The local item is missing or stale (another machine, or a writer that lost a race): use the envelope.
    const value = await this.readVersion(key, meta, meta.version);
    await backend.set(key, value).catch(() => undefined);
    return value;
  }

  private async readVersion(key: string, meta: SecretMetadata, version: number): Promise<string> {
    const entry = meta.history.find((h) => h.version === version && h.action !== 'delete');
    if (!Number.isInteger(version) || !entry || entry.destroyed) {
      throw new SecretsError('VERSION_NOT_FOUND', `secret "${key}" has no version ${version}${entry?.destroyed ? ' any more (destroyed by maxVersions retention)' : ''}`);
    }
    const stored = await this.store.getJson<StoredVersion>(keys.secretVersion(key, version)).catch((err: unknown) => {
      if ((err as { code?: string }).code === 'INVALID_JSON') return { corrupt: true } as unknown as StoredVersion;
      throw err;
    });
    if (!stored) throw new SecretsError('VERSION_NOT_FOUND', `version ${version} of secret "${key}" is missing from the store`);
    return decryptEnvelope((await this.open()).historyKey, key, version, stored);
  }

  /** Drops the local copy from the keychain and the vault: earlier versions may sit in the other one (`--vault`). */
  private async dropLocal(b: Backends, key: string) {
    for (const backend of new Set([b.keychain, await b.vault()])) await backend.delete(key);
  }

  private async guard(actor: string, action: PolicyAction, auditAction: AuditEntry['action'], key: string, secretEnv?: string) {
    try {
      return assertAccess(this.policy, { actor, action, key, ...this.currentEnv(), ...(secretEnv ? { secretEnv } : {}) });
    } catch (err) {
      await this.record({ actor, action: auditAction, key, outcome: 'denied', reason: (err as Error).message, ...(this.env.FW_ENV ? { env: this.env.FW_ENV } : {}) });
      throw err;
    }
  }

  private currentEnv() {
    return this.env.FW_ENV ? { currentEnv: this.env.FW_ENV } : {};
  }

  private async record(e: Omit<AuditEntry, 'at'>) {
    await this.audit.append({ at: this.now().toISOString(), ...e });
  }

  private actor(explicit?: string): string {
    return explicit ?? this.defaultActor ?? this.env.FW_ACTOR ?? osUser();
  }

  private meta(key: string) {
    return this.store.getJson<SecretMetadata>(keys.secretCurrent(key));
  }

  private notFound(key: string, meta?: SecretMetadata | null) {
    return new SecretsError('NOT_FOUND', meta?.deleted ? `secret "${key}" is deleted (rollback restores it, delete --purge destroys it)` : `no secret "${key}"`);
  }

  private invalidate(key: string) {
    for (const k of this.cache.keys()) if (k.startsWith(`${key}@`)) this.cache.delete(k);
  }

  private open(): Promise<Backends> {
    this.backends ??= openBackends({ service: this.service, dataDir: this.dataDir, env: this.env, useBunSecrets: this.useBunSecrets }).catch((err) => {
      this.backends = undefined;
      throw err;
    });
    return this.backends;
  }
}
