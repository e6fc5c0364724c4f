export { RegistrySecretsManager, type SecretsManagerOptions, type WriteOptions } from './manager.ts';
export { SecretsError, isSecretsError, type SecretsErrorCode } from './errors.ts';
export { validateSecretKey, registryCredentialsKey, registryHost, MASTER_KEY_ITEM } from './key-name.ts';
export { encryptEnvelope, decryptEnvelope, type SecretEnvelope } from './envelope.ts';
export { parseMasterKey, generateMasterKey, loadOrCreateKeyFile, importAesKey, deriveMacKey, PASSPHRASE_KDF } from './master-key.ts';
export { bunSecretsApi, createBunSecretsKeychain, probeBunSecrets, type KeychainBackend, type BunSecretsApi } from './keychain.ts';
export { createFileVault } from './file-vault.ts';
export {
  checkAccess, assertAccess, rotationStatus,
  type SecretsPolicy, type SecretGrant, type AccessDecision, type RotationStatus,
} from './policy.ts';
export type { SecretAction as SecretPermission } from './policy.ts';
export { AuditLog, AUDIT_PREFIX, type AuditEntry } from './audit.ts';
export { renderVersionGraph } from './version-graph.ts';
export type {
  SecretAction, SecretHistoryEntry, SecretMetadata, StoredVersion, SecretSummary, SecretVersionInfo, InitializeResult,
} from './types.ts';
