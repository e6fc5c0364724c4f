import { SecretsError } from './errors.ts';
import { notOnWorkers, onWorkers } from './_runtime.ts';
import { fromBase64, fromHex, toHex, utf8 } from './_bytes.ts';

/** PBKDF2 parameters used when FW_MASTER_KEY is a passphrase rather than 32 key bytes. */
export const PASSPHRASE_KDF = { hash: 'SHA-256', iterations: 600_000, salt: 'factorywager-secrets/master-key/v1' } as const;

/**
 * Turns an FW_MASTER_KEY value into 32 key bytes. Accepted forms, tried in this order:
 * 64 hex characters; base64 (standard or url-safe) of exactly 32 bytes; otherwise a passphrase of at
 * least 16 characters, stretched with PBKDF2-SHA256 (600,000 iterations, fixed application salt so every
 * machine given the same passphrase derives the same key; see {@link PASSPHRASE_KDF}).
 * @example
 * const raw = await parseMasterKey(process.env.FW_MASTER_KEY!); // Uint8Array(32)
 */
export async function parseMasterKey(value: string): Promise<Uint8Array<ArrayBuffer>> {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return fromHex(text);
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = fromBase64(text.replace(/-/g, '+').replace(/_/g, '/').padEnd(44, '='));
    if (bytes.length === 32) return bytes;
  }
  if (text.length < 16) {
    throw new SecretsError('INVALID_MASTER_KEY', 'FW_MASTER_KEY must be 32 bytes as 64 hex or base64 characters, or a passphrase of at least 16 characters');
  }
  const base = await crypto.subtle.importKey('raw', utf8(text), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: PASSPHRASE_KDF.hash, iterations: PASSPHRASE_KDF.iterations, salt: utf8(PASSPHRASE_KDF.salt) },
    base,
    256,
  );
  return new Uint8Array(bits);
}

/**
 * 32 fresh random key bytes.
 * @example
 * const raw = generateMasterKey();
 */
export function generateMasterKey(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(32));
}

/**
 * Reads the master key file at `path`, creating it (mode 0600, written whole, then linked into place so
 * that concurrent creators agree) with a fresh random key when it does not exist. The file holds the
 * key as 64 hex characters.
 * @example
 * const { key, created } = await loadOrCreateKeyFile('.factorywager/master.key');
 */
export async function loadOrCreateKeyFile(path: string): Promise<{ key: Uint8Array<ArrayBuffer>; created: boolean }> {
  if (onWorkers()) throw notOnWorkers('the master key file');
  const fs = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const read = async () => {
    const text = (await fs.readFile(path, 'utf8')).trim();
    if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new SecretsError('INVALID_MASTER_KEY', `master key file ${path} is not 64 hex characters`);
    const st = await fs.stat(path);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      throw new SecretsError('INVALID_MASTER_KEY', `master key file ${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`);
    }
    return fromHex(text);
  };
  try {
    return { key: await read(), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = generateMasterKey();
  // Written whole beside it, then hard-linked into place (fails if the file exists), so a concurrent
  // first use never reads a key file that is still empty.
  const tmp = `${path}.${process.pid}.${crypto.randomUUID()}.tmp`;
  await fs.writeFile(tmp, `${toHex(key)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(tmp, path).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') throw err;
      await fs.writeFile(path, `${toHex(key)}\n`, { mode: 0o600, flag: 'wx' }); // no hard links here
    });
    return { key, created: true };
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: await read(), created: false };
    throw err;
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
}

/**
 * Imports 32 raw bytes as a non-extractable AES-256-GCM key.
 * @example
 * const key = await importAesKey(generateMasterKey());
 */
export async function importAesKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  if (raw.length !== 32) throw new SecretsError('INVALID_MASTER_KEY', `master key must be 32 bytes, got ${raw.length}`);
  return crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/**
 * Derives an HMAC-SHA256 key from the master key bytes (HKDF-SHA256, `info` separates purposes).
 * @example
 * const mac = await deriveMacKey(raw, 'fw-secrets/keychain-check');
 */
export async function deriveMacKey(raw: Uint8Array<ArrayBuffer>, info: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: utf8(info) },
    base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  );
}
