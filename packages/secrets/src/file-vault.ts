import { SecretsError } from './errors.ts';
import type { KeychainBackend } from './keychain.ts';
import { fromBase64, fromUtf8, toBase64, toHex, utf8 } from './_bytes.ts';
import { notOnWorkers, onWorkers } from './_runtime.ts';

interface VaultItem {
  format: 'fw-vault-item';
  v: 1;
  iv: string;
  data: string;
}

/**
 * The fallback for machines without a usable OS keychain: one AES-256-GCM encrypted file per item
 * under `dir` (file name = SHA-256 of service and item name; the service and name are bound as
 * additional data; `aesKey` may be a function that loads it on first use). One file per item keeps concurrent writers from different processes apart;
 * each write is a temp file plus rename, so a crash leaves the old or the new item.
 * @example
 * const vault = createFileVault({ dir: '.factorywager/vault', service: 'factorywager', aesKey });
 * await vault.set('db/password', 's3cr3t');
 */
export function createFileVault(options: { dir: string; service: string; aesKey: CryptoKey | (() => Promise<CryptoKey>) }): KeychainBackend {
  if (onWorkers()) throw notOnWorkers('the file vault');
  const { dir, service } = options;
  // a function loads the key only when an item is read or written (delete needs none)
  const key = async () => (typeof options.aesKey === 'function' ? options.aesKey() : options.aesKey);
  const ad = (name: string) => utf8(JSON.stringify(['fw-vault/v1', service, name]));
  const fileOf = async (name: string) => {
    const digest = await crypto.subtle.digest('SHA-256', utf8(`${service}\0${name}`));
    return `${dir}/${toHex(new Uint8Array(digest))}.json`;
  };
  return {
    name: 'file-vault',
    service,
    async get(name) {
      const fs = await import('node:fs/promises');
      let text: string;
      try {
        text = await fs.readFile(await fileOf(name), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      const aesKey = await key();
      try {
        const item = JSON.parse(text) as VaultItem;
        const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(item.iv), additionalData: ad(name) }, aesKey, fromBase64(item.data));
        return fromUtf8(new Uint8Array(plain));
      } catch (err) {
        throw new SecretsError('DECRYPT_FAILED', `cannot decrypt vault item "${name}" (tampered file or another master key)`, { cause: err });
      }
    },
    async set(name, value) {
      const fs = await import('node:fs/promises');
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: ad(name) }, await key(), utf8(value));
      const item: VaultItem = { format: 'fw-vault-item', v: 1, iv: toBase64(iv), data: toBase64(new Uint8Array(data)) };
      const file = await fileOf(name);
      const tmp = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
      await fs.writeFile(tmp, JSON.stringify(item), { mode: 0o600 });
      await fs.rename(tmp, file);
    },
    async delete(name) {
      const fs = await import('node:fs/promises');
      try {
        await fs.unlink(await fileOf(name));
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    },
  };
}
