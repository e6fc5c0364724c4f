import { storeConfigFromEnv } from '@factorywager/r2-store';
import { baseConfig } from './defaults.ts';
import { configFromEnv, type ConfigEnv } from './env.ts';
import { finalizeConfig, mergeConfig } from './_merge.ts';
import { withNpmUpstream } from './npm-registry.ts';
import type { RegistryConfig } from './types.ts';

/** r2-store's reader of the R2_* / S3_* variables, for the registry's bucket. */
export const readStorageEnv = (env: ConfigEnv) => storeConfigFromEnv(env, 'registry');

/**
 * The configuration with no file at all: the defaults with the environment variables of DESIGN.md
 * applied (REGISTRY_PORT, REGISTRY_URL, FW_DATA_DIR, R2_* / S3_ENDPOINT ...), proxying the registry
 * of the user's npm config (see {@link withNpmUpstream}; `cwd` locates the project .npmrc). In the
 * ./node entry because the storage variables are read by @factorywager/r2-store.
 * @example
 * const config = defaultConfig(process.env);
 * config.listen; // { host: '127.0.0.1', port: 4873 } unless REGISTRY_PORT says otherwise
 */
export function defaultConfig(env: ConfigEnv = {}, options: { cwd?: string; home?: string } = {}): RegistryConfig {
  const fromEnv = configFromEnv(env, readStorageEnv);
  return withNpmUpstream(finalizeConfig(mergeConfig(baseConfig(), fromEnv), [fromEnv]), { env, ...options });
}
