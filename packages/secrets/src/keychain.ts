import { SecretsError } from './errors.ts';
import { notOnWorkers, onWorkers } from './_runtime.ts';

/** Where current secret values live on this machine: the OS keychain or the encrypted file vault. */
export interface KeychainBackend {
  /** `bun-secrets` (OS keychain through Bun.secrets) or `file-vault`. */
  readonly name: 'bun-secrets' | 'file-vault';
  readonly service: string;
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  /** Resolves true when an item was removed. */
  delete(name: string): Promise<boolean>;
}

/** The part of Bun.secrets the keychain backend uses (a test can pass its own). */
export interface BunSecretsApi {
  get(o: { service: string; name: string }): Promise<string | null>;
  set(o: { service: string; name: string; value: string }): Promise<void>;
  delete(o: { service: string; name: string }): Promise<boolean>;
}

/**
 * Bun.secrets when running on Bun, else undefined (Node, Workers).
 * @example
 * if (bunSecretsApi()) console.log('Bun.secrets is present');
 */
export function bunSecretsApi(): BunSecretsApi | undefined {
  const bun = (globalThis as { Bun?: { secrets?: BunSecretsApi } }).Bun;
  return bun?.secrets && typeof bun.secrets.set === 'function' ? bun.secrets : undefined;
}

/**
 * The OS keychain through Bun.secrets (macOS Keychain, libsecret on Linux, Credential Manager on Windows).
 * @example
 * const kc = createBunSecretsKeychain('factorywager');
 * await kc.set('db/password', 's3cr3t');
 */
export function createBunSecretsKeychain(service: string, api: BunSecretsApi | undefined = bunSecretsApi()): KeychainBackend {
  if (!api && onWorkers()) throw notOnWorkers('the OS keychain');
  if (!api) throw new SecretsError('KEYCHAIN_UNAVAILABLE', 'Bun.secrets is not available in this runtime (not running on Bun)');
  const wrap = async <T>(what: string, name: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw new SecretsError('KEYCHAIN_UNAVAILABLE', `OS keychain ${what} of "${name}" failed: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    name: 'bun-secrets',
    service,
    get: (name) => wrap('read', name, () => api.get({ service, name })),
    set: async (name, value) => {
      // Bun.secrets treats "" as delete and refuses NUL; our callers never store either, but be explicit.
      if (value === '' || value.includes('\0')) throw new SecretsError('INVALID_VALUE', 'a keychain value must be non-empty and contain no NUL character');
      await wrap('write', name, () => api.set({ service, name, value }));
    },
    delete: (name) => wrap('delete', name, () => api.delete({ service, name })),
  };
}

/**
 * Probes the OS keychain with a real set, get and delete of a throwaway item. A locked or absent
 * keyring makes `get` return null silently while `set` fails, so reading alone proves nothing.
 * Resolves `{ ok: true }` or `{ ok: false, reason }`.
 * @example
 * const probe = await probeBunSecrets('factorywager');
 * if (!probe.ok) console.log(probe.reason);
 */
export async function probeBunSecrets(service: string, api: BunSecretsApi | undefined = bunSecretsApi()): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!api) return { ok: false, reason: 'not running on Bun (Bun.secrets is absent)' };
  const name = `fw-probe-${crypto.randomUUID()}`;
  const value = crypto.randomUUID();
  try {
    await api.set({ service, name, value });
    const back = await api.get({ service, name });
    await api.delete({ service, name });
    if (back !== value) return { ok: false, reason: 'the keychain accepted a write but did not return it (locked keyring?)' };
    return { ok: true };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { ok: false, reason: `the keychain refused a test write: ${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}` };
  }
}
