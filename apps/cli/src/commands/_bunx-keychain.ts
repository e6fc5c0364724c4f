import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../kit.ts';

const STORE_VARS = ['S3_ENDPOINT', 'R2_ACCOUNT_ID', 'R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY'];

/**
 * Whether the secret `registry:<host>` can exist: with the filesystem store (no R2/S3 variables,
 * as r2-store's storeConfigFromEnv decides) its metadata is the file
 * `<FW_DATA_DIR>/secrets/registry:<host>/current.json` (the storage keys of docs and DESIGN); without
 * that file there is no secret, and the secrets manager (with the store and the AWS SDK under it,
 * about 100 ms to load) need not open. With an R2/S3 store only the manager can tell.
 */
function mayHaveSecret(env: NodeJS.ProcessEnv, registry: string): boolean {
  if (STORE_VARS.some((name) => env[name]?.trim())) return true;
  let host: string;
  try {
    host = new URL(registry).host.toLowerCase();
  } catch {
    return true;
  }
  return existsSync(join(env.FW_DATA_DIR?.trim() || './.factorywager', 'secrets', `registry:${host}`, 'current.json'));
}

/**
 * The keychain step of the runner's token lookup: the secret `registry:<host>`. The secrets manager
 * (and the store under it) loads only when this is called, i.e. when a request needs a token that
 * neither the options nor FW_TOKEN gave, and only when the secret can exist.
 */
export function keychainLookup(env: NodeJS.ProcessEnv, values: Context['values'] = {}): (registry: string) => Promise<string | null> {
  return async (registry) => {
    if (!mayHaveSecret(env, registry)) return null;
    const { openSecrets } = await import('./_secrets-context.ts');
    const ctx = { env, values, positionals: [], json: false, color: false, out: () => {}, err: () => {}, stdin: async () => '' } satisfies Context;
    const found = await (await openSecrets(ctx)).getRegistryCredentials(registry);
    return found?.token ?? null;
  };
}
