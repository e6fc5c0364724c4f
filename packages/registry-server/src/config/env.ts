import type { StoreConfig } from '@factorywager/r2-store';
import { RegistryError } from '../errors.ts';
import type { ConfigLayer } from './_merge.ts';

/** The environment as a plain map (process.env, a Worker's env, a test's object). */
export type ConfigEnv = Record<string, string | undefined>;

function bad(variable: string, message: string): never {
  throw new RegistryError('INVALID_CONFIG', `environment: ${variable} ${message}`);
}

function int(env: ConfigEnv, variable: string, min: number, max: number): number | undefined {
  const raw = env[variable]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) bad(variable, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

/** Reads a StoreConfig from R2_* / S3_* variables (r2-store's `storeConfigFromEnv` on Node and Bun). */
export type StorageEnvReader = (env: ConfigEnv) => StoreConfig;

const STORAGE_VARS = ['R2_ACCOUNT_ID', 'R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY', 'S3_ENDPOINT'];

/**
 * The config layer the environment gives: REGISTRY_PORT, REGISTRY_URL, REGISTRY_AUTH, REGISTRY_SECRET,
 * VERSION_CACHE_TTL, SECRETS_CACHE_TTL, FW_DATA_DIR, and, when `readStorage` is given and one of
 * R2_ACCOUNT_ID, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, S3_ENDPOINT is set, the storage. Errors name
 * the variable. `readStorage` is a parameter so that this file stays free of the drivers (Workers).
 * @example
 * configFromEnv({ REGISTRY_PORT: '8080' }); // { listen: { port: 8080 } }
 */
export function configFromEnv(env: ConfigEnv, readStorage?: StorageEnvReader): ConfigLayer {
  const layer: ConfigLayer = {};
  const port = int(env, 'REGISTRY_PORT', 0, 65535);
  if (port !== undefined) layer.listen = { port };
  const url = env.REGISTRY_URL?.trim();
  if (url) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch { /* reported below */ }
    if (!parsed || !/^https?:$/.test(parsed.protocol)) bad('REGISTRY_URL', `must be an http(s) URL, got ${JSON.stringify(url)}`);
    layer.publicUrl = url;
  }
  const mode = env.REGISTRY_AUTH?.trim();
  if (mode && mode !== 'jwt') bad('REGISTRY_AUTH', `must be "jwt", got ${JSON.stringify(mode)}`);
  const secret = env.REGISTRY_SECRET;
  if (secret !== undefined && secret !== '') {
    if (secret.length < 32) bad('REGISTRY_SECRET', 'must be at least 32 characters');
    layer.auth = { secret };
  }
  const versionTtl = int(env, 'VERSION_CACHE_TTL', 0, 31_536_000);
  if (versionTtl !== undefined) layer.versionCacheTtl = versionTtl;
  const secretsTtl = int(env, 'SECRETS_CACHE_TTL', 0, 31_536_000);
  if (secretsTtl !== undefined) layer.secrets = { cacheTtl: secretsTtl };
  const dataDir = env.FW_DATA_DIR?.trim();
  if (dataDir) layer.dataDir = dataDir;
  if (readStorage && STORAGE_VARS.some((v) => env[v]?.trim())) {
    try {
      layer.storage = readStorage(env);
    } catch (err) {
      throw new RegistryError('INVALID_CONFIG', `environment: ${(err as Error).message}`, { cause: err });
    }
  }
  return layer;
}
