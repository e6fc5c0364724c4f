import type { RegistryConfig } from './types.ts';
import { configFromEnv, type ConfigEnv } from './env.ts';
import { finalizeConfig, mergeConfig } from './_merge.ts';

/** The embedded defaults: fs storage in ./.factorywager, 127.0.0.1:4873, one open-read rule. */
export function baseConfig(): RegistryConfig {
  return {
    listen: { host: '127.0.0.1', port: 4873 },
    publicUrl: 'http://127.0.0.1:4873',
    storage: { driver: 'fs', root: './.factorywager' },
    dataDir: './.factorywager',
    auth: { mode: 'jwt', tokenTtl: '30d', allowRegistration: true, maxLoginAttempts: 10, trustProxy: false },
    users: {},
    packages: [{ pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] }],
    uplinks: {},
    limits: { maxBodySize: 100 * 1024 * 1024 },
    versionCacheTtl: 300,
    secrets: { roles: {}, rotation: [], maxVersions: 20, cacheTtl: 300 },
  };
}

/**
 * The configuration with no file at all: the defaults with the environment variables of DESIGN.md
 * applied (REGISTRY_PORT, REGISTRY_URL, FW_DATA_DIR, R2_* ...).
 * @example
 * const config = defaultConfig(process.env);
 * config.listen; // { host: '127.0.0.1', port: 4873 } unless REGISTRY_PORT says otherwise
 */
export function defaultConfig(env: ConfigEnv = {}): RegistryConfig {
  const fromEnv = configFromEnv(env);
  return finalizeConfig(mergeConfig(baseConfig(), fromEnv), [fromEnv]);
}
