import { createStoreFromEnv } from '@factorywager/r2-store';
import {
  RegistrySecretsManager as BaseSecretsManager,
  type SecretsManagerOptions,
} from '@factorywager/secrets';

/** Options of the product's {@link RegistrySecretsManager}: all optional. */
export type SecretsOptions = Partial<SecretsManagerOptions>;

/**
 * The product's secrets manager: `@factorywager/secrets`' `RegistrySecretsManager` whose store
 * defaults to the one the environment names (R2 or S3 variables, else the filesystem under
 * FW_DATA_DIR, purpose `secrets`), so `new RegistrySecretsManager()` works as it is.
 * @example
 * const secrets = new RegistrySecretsManager();
 * await secrets.initialize();
 * await secrets.setSecret('api/key', 's3cr3t', { useBunSecrets: true });
 * await secrets.storeRegistryCredentials('127.0.0.1:4873', { token: process.env.FW_TOKEN! });
 */
export class RegistrySecretsManager extends BaseSecretsManager {
  constructor(options: SecretsOptions = {}) {
    const env = options.env ?? process.env;
    super({ ...options, env, store: options.store ?? createStoreFromEnv(env, 'secrets') });
  }
}
