import { SecretsError } from './errors.ts';
import { fromBase64, fromUtf8, toBase64, utf8 } from './_bytes.ts';

/** A version of a secret as stored: AES-256-GCM ciphertext (tag appended) plus metadata, never plaintext. */
export interface SecretEnvelope {
  format: 'fw-secret-envelope';
  v: 1;
  alg: 'AES-256-GCM';
  key: string;
  version: number;
  /** 96-bit random IV, base64. */
  iv: string;
  /** Ciphertext with the 128-bit tag appended, base64. */
  data: string;
}

const additionalData = (key: string, version: number) => utf8(JSON.stringify(['fw-secret/v1', key, version]));

/**
 * Encrypts `value` for `key` at `version`. The key name and version are bound as additional
 * authenticated data, so an envelope moved to another key or version fails to decrypt.
 * @example
 * const env = await encryptEnvelope(aesKey, 'db/password', 3, 's3cr3t');
 */
export async function encryptEnvelope(aesKey: CryptoKey, key: string, version: number, value: string): Promise<SecretEnvelope> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(key, version), tagLength: 128 }, aesKey, utf8(value));
  return { format: 'fw-secret-envelope', v: 1, alg: 'AES-256-GCM', key, version, iv: toBase64(iv), data: toBase64(new Uint8Array(data)) };
}

/**
 * Decrypts an envelope written by {@link encryptEnvelope} for `key` at `version`.
 * Any tampering (a flipped byte, another key's envelope, a wrong master key) gives SecretsError DECRYPT_FAILED.
 * @example
 * const value = await decryptEnvelope(aesKey, 'db/password', 3, env);
 */
export async function decryptEnvelope(aesKey: CryptoKey, key: string, version: number, envelope: unknown): Promise<string> {
  const e = envelope as Partial<SecretEnvelope> | null;
  const fail = (why: string, cause?: unknown) =>
    new SecretsError('DECRYPT_FAILED', `cannot decrypt version ${version} of secret "${key}": ${why}`, { cause });
  if (!e || e.format !== 'fw-secret-envelope' || e.v !== 1 || e.alg !== 'AES-256-GCM' || typeof e.iv !== 'string' || typeof e.data !== 'string') {
    throw fail('not a valid envelope');
  }
  if (e.key !== key || e.version !== version) throw fail('envelope belongs to another key or version');
  let iv: Uint8Array<ArrayBuffer>;
  let data: Uint8Array<ArrayBuffer>;
  try {
    iv = fromBase64(e.iv);
    data = fromBase64(e.data);
  } catch (err) {
    throw fail('malformed base64', err);
  }
  if (iv.length !== 12) throw fail('bad IV length');
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: additionalData(key, version), tagLength: 128 }, aesKey, data);
    return fromUtf8(new Uint8Array(plain));
  } catch (err) {
    throw fail('authentication failed (tampered data or wrong master key)', err);
  }
}
