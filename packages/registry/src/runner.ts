import { BunXIntegration as BaseRunner, type BunXOptions } from '@factorywager/bunx';
import { RegistrySecretsManager } from './secrets-manager.ts';

/**
 * The product's runner: `@factorywager/bunx`'s `BunXIntegration` whose token lookup also asks the
 * secrets manager (`registry:<host>`, as `secrets.storeRegistryCredentials` stores it) when neither
 * the options nor FW_TOKEN give one. Pass `credentials` to replace that lookup.
 * @example
 * const bunx = new BunXIntegration({ registry: 'http://127.0.0.1:4873' });
 * await bunx.resolveVersion('@acme/cli', '^1.0.0');                  // '1.3.0'
 * const code = await bunx.execute({ package: '@acme/cli', args: ['--help'] });
 */
export class BunXIntegration extends BaseRunner {
  constructor(options: BunXOptions = {}) {
    const env = options.env ?? process.env;
    super({
      ...options,
      env,
      credentials: options.credentials ?? (async (registry) => (await new RegistrySecretsManager({ env }).getRegistryCredentials(registry))?.token ?? null),
    });
  }
}
