import { SecretsError } from './errors.ts';

/** True inside Cloudflare Workers (workerd), where there is no OS keychain and no local disk. */
export const onWorkers = (): boolean =>
  typeof navigator !== 'undefined' && (navigator as { userAgent?: string }).userAgent === 'Cloudflare-Workers';

/**
 * The error for what needs a machine (the OS keychain, the file vault, the master key file) when
 * asked for on Workers, naming what to do instead.
 */
export function notOnWorkers(what: string): SecretsError {
  return new SecretsError('KEYCHAIN_UNAVAILABLE', `${what} is not available on Cloudflare Workers (no OS keychain, no local disk): `
    + 'manage secrets with `fw secrets` on a machine with its keychain (or FW_MASTER_KEY and the file vault) against the same bucket; '
    + 'a Worker serves the registry only');
}
