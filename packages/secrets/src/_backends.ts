import { SecretsError } from './errors.ts';
import { createFileVault } from './file-vault.ts';
import { MASTER_KEY_ITEM } from './key-name.ts';
import { createBunSecretsKeychain, probeBunSecrets, type KeychainBackend } from './keychain.ts';
import { deriveMacKey, generateMasterKey, importAesKey, loadOrCreateKeyFile, parseMasterKey } from './master-key.ts';
import { fromHex, toHex } from './_bytes.ts';
import { notOnWorkers, onWorkers } from './_runtime.ts';

export interface Backends {
  keychain: KeychainBackend;
  reason: string;
  /** The file vault, created lazily for `useBunSecrets: false` writes and as the fallback. */
  vault: () => Promise<KeychainBackend>;
  historyKey: CryptoKey;
  macKey: CryptoKey;
  masterKeySource: 'keychain' | 'FW_MASTER_KEY' | 'key-file';
  masterKeyCreated: boolean;
}

/** Local (vault) key: FW_MASTER_KEY, else the 0600 key file under the data folder. */
async function localKey(env: Record<string, string | undefined>, dataDir: string) {
  if (env.FW_MASTER_KEY) return { raw: await parseMasterKey(env.FW_MASTER_KEY), source: 'FW_MASTER_KEY' as const, created: false };
  const { key, created } = await loadOrCreateKeyFile(`${dataDir}/.secrets/master.key`);
  return { raw: key, source: 'key-file' as const, created };
}

export async function openBackends(o: {
  service: string;
  dataDir: string;
  env: Record<string, string | undefined>;
  useBunSecrets: boolean;
}): Promise<Backends> {
  if (onWorkers()) throw notOnWorkers('the secrets manager (its OS keychain or file vault)');
  let keychain: KeychainBackend | undefined;
  let reason: string;
  if (!o.useBunSecrets) reason = 'useBunSecrets: false (or FW_SECRETS_BACKEND=vault) chose the encrypted file vault';
  else {
    const probe = await probeBunSecrets(o.service);
    if (probe.ok) {
      keychain = createBunSecretsKeychain(o.service);
      reason = `Bun.secrets probe (set, get, delete of a test item in service "${o.service}") succeeded`;
    } else reason = `OS keychain unusable: ${probe.reason}; using the encrypted file vault`;
  }
  if (o.env.FW_REQUIRE_KEYCHAIN === '1' && !keychain) {
    throw new SecretsError('KEYCHAIN_UNAVAILABLE', `FW_REQUIRE_KEYCHAIN=1 but ${reason}`);
  }
  let local: Awaited<ReturnType<typeof localKey>> | undefined;
  const getLocal = async () => (local ??= await localKey(o.env, o.dataDir));
  let vault: KeychainBackend | undefined;
  let vaultKey: Promise<CryptoKey> | undefined;
  const loadVaultKey = () => (vaultKey ??= getLocal().then((l) => importAesKey(l.raw)));
  // the key loads on first read or write, so deleting an item never creates a key file
  const openVault = async () => (vault ??= createFileVault({ dir: `${o.dataDir}/.secrets/vault`, service: o.service, aesKey: loadVaultKey }));

  let raw: Uint8Array<ArrayBuffer>;
  let source: Backends['masterKeySource'];
  let created = false;
  if (keychain) {
    const stored = await keychain.get(MASTER_KEY_ITEM);
    if (stored && /^[0-9a-f]{64}$/.test(stored)) {
      raw = fromHex(stored);
      // machines sharing a bucket agree through FW_MASTER_KEY: a keychain that holds another key would
      // write envelopes no other machine can decrypt (and fail on theirs)
      if (o.env.FW_MASTER_KEY && toHex(await parseMasterKey(o.env.FW_MASTER_KEY)) !== stored) {
        throw new SecretsError('INVALID_MASTER_KEY', `FW_MASTER_KEY differs from the master key in keychain item "${MASTER_KEY_ITEM}" of service "${o.service}"; unset one of them, or delete the keychain item to seed it from FW_MASTER_KEY`);
      }
    } else if (stored) throw new SecretsError('INVALID_MASTER_KEY', `keychain item "${MASTER_KEY_ITEM}" in service "${o.service}" is not a 64-hex-character key`);
    else {
      // First use of this keychain: seed it from FW_MASTER_KEY when given (so machines sharing a bucket agree), else random.
      raw = o.env.FW_MASTER_KEY ? await parseMasterKey(o.env.FW_MASTER_KEY) : generateMasterKey();
      await keychain.set(MASTER_KEY_ITEM, toHex(raw));
      created = true;
    }
    source = 'keychain';
  } else {
    const l = await getLocal();
    raw = l.raw;
    source = l.source;
    created = l.created;
    keychain = await openVault();
  }
  return {
    keychain,
    reason,
    vault: openVault,
    historyKey: await importAesKey(raw),
    macKey: await deriveMacKey(raw, 'fw-secrets/keychain-check/v1'),
    masterKeySource: source,
    masterKeyCreated: created,
  };
}
