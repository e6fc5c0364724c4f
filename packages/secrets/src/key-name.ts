import { SecretsError } from './errors.ts';

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,200}$/;
// Segments that would collide with the storage layout (secrets/{key}/current.json, versions/{n}.json).
const RESERVED_SEGMENT = /^(?:versions|current\.json|\d+\.json|_audit)$/;

/**
 * Validates a secret key name before it forms a storage key or a keychain item name.
 * Allowed: letters, digits and `. _ : @ / -`, starting with a letter or digit, at most 201 characters,
 * no empty, `.` or `..` segment, no segment reserved by the storage layout.
 * @example
 * validateSecretKey('registry:127.0.0.1:4873'); // returns the key
 * validateSecretKey('../etc/passwd');           // throws SecretsError INVALID_KEY
 */
export function validateSecretKey(key: unknown): string {
  if (typeof key !== 'string' || !KEY_RE.test(key)) {
    throw new SecretsError('INVALID_KEY', `invalid secret key ${JSON.stringify(key)}: use letters, digits and . _ : @ / - (start with a letter or digit, at most 201 characters)`);
  }
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new SecretsError('INVALID_KEY', `invalid secret key "${key}": empty, "." or ".." path segment`);
    }
    if (RESERVED_SEGMENT.test(segment)) {
      throw new SecretsError('INVALID_KEY', `invalid secret key "${key}": the segment "${segment}" is reserved`);
    }
  }
  if (key === MASTER_KEY_ITEM) throw new SecretsError('INVALID_KEY', `invalid secret key "${key}": reserved for the master key item`);
  return key;
}

/** Keychain item (in the service) that holds the history master key. */
export const MASTER_KEY_ITEM = 'master-key';

/**
 * The key under which registry credentials for `host` are stored.
 * @example
 * registryCredentialsKey('127.0.0.1:4873'); // 'registry:127.0.0.1:4873'
 */
export function registryCredentialsKey(host: string): string {
  return validateSecretKey(`registry:${registryHost(host)}`);
}

/**
 * Normalises a registry URL or host to `host[:port]` (lower case, no scheme, path or trailing slash).
 * @example
 * registryHost('http://127.0.0.1:4873/'); // '127.0.0.1:4873'
 */
export function registryHost(urlOrHost: string): string {
  const text = urlOrHost.trim();
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return new URL(text).host.toLowerCase();
  } catch {
    // fall through: treated as a bare host
  }
  return text.replace(/\/+$/, '').toLowerCase();
}
