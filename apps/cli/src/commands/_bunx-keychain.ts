import type { Context } from '../kit.ts';

/**
 * The keychain step of the runner's token lookup: the secret `registry:<host>`. The secrets manager
 * (and the store under it) loads only when this is called, i.e. when a request needs a token that
 * neither the options nor FW_TOKEN gave.
 */
export function keychainLookup(env: NodeJS.ProcessEnv, values: Context['values'] = {}): (registry: string) => Promise<string | null> {
  return async (registry) => {
    const { openSecrets } = await import('./_secrets-context.ts');
    const ctx = { env, values, positionals: [], json: false, color: false, out: () => {}, err: () => {}, stdin: async () => '' } satisfies Context;
    const found = await (await openSecrets(ctx)).getRegistryCredentials(registry);
    return found?.token ?? null;
  };
}
