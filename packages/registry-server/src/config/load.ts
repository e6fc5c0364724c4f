import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import JSON5 from 'json5';
import type { StoreConfig } from '@factorywager/r2-store';
import { RegistryError } from '../errors.ts';
import { configFromEnv, type ConfigEnv } from './env.ts';
import { readStorageEnv } from './default-config.ts';
import { finalizeConfig, mergeConfig, type ConfigLayer } from './_merge.ts';
import { baseConfig } from './defaults.ts';
import type { RegistryConfig } from './types.ts';
import { validateConfigLayer } from './validate.ts';
import { withNpmUpstream } from './npm-registry.ts';

export interface LoadConfigOptions {
  /** The config file; default the file REGISTRY_CONFIG names, else ./registry.config.json5 when it exists, else none. */
  path?: string;
  /** Default process.env. */
  env?: ConfigEnv;
  /** Folder for the default path and relative paths from the environment; default process.cwd(). */
  cwd?: string;
}

export const DEFAULT_CONFIG_FILE = 'registry.config.json5';

async function readIfPresent(path: string, required: boolean): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!required && code === 'ENOENT') return null;
    throw new RegistryError('INVALID_CONFIG', `${path}: cannot read the config file (${code ?? (err as Error).message})`, { cause: err });
  }
}

/**
 * The resolved configuration: the json5 file (`path`, else the one REGISTRY_CONFIG names, else
 * ./registry.config.json5 if present) merged over the defaults, then the environment variables
 * of DESIGN.md over both, validated. Without `uplinks` in the file, the uplink is the registry of
 * the user's npm config (`npm_config_registry`, the project's and the user's .npmrc). Errors are RegistryError INVALID_CONFIG naming the file and the
 * field (or the variable). Relative folders in the file are relative to the file.
 * @example
 * const config = await loadRegistryConfig({ path: 'registry.config.json5' });
 * await new NPMRegistryServer(config).start();
 */
export async function loadRegistryConfig(options: LoadConfigOptions = {}): Promise<RegistryConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const named = options.path ?? (env.REGISTRY_CONFIG?.trim() || undefined);
  const path = resolve(cwd, named ?? DEFAULT_CONFIG_FILE);
  const text = await readIfPresent(path, named !== undefined);
  let fileLayer: ConfigLayer = {};
  if (text !== null) {
    let raw: unknown;
    try {
      raw = JSON5.parse(text);
    } catch (err) {
      const e = err as { lineNumber?: number; columnNumber?: number; message: string };
      const where = e.lineNumber ? `:${e.lineNumber}:${e.columnNumber ?? 0}` : '';
      throw new RegistryError('INVALID_CONFIG', `${path}${where}: not valid JSON5 (${e.message.replace(/^JSON5: /, '')})`, { cause: err });
    }
    fileLayer = validateConfigLayer(raw, path);
    const dir = dirname(path);
    const abs = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
    if (fileLayer.dataDir) fileLayer.dataDir = abs(fileLayer.dataDir);
    const storage = fileLayer.storage as StoreConfig | undefined;
    if (storage?.driver === 'fs') fileLayer.storage = { driver: 'fs', root: abs(storage.root) };
  }
  const envLayer = configFromEnv(env, readStorageEnv);
  if (envLayer.dataDir) envLayer.dataDir = resolve(cwd, envLayer.dataDir);
  const merged = mergeConfig(mergeConfig(baseConfig(), fileLayer), envLayer);
  // The environment's data folder also moves the fs store, unless the file names a store root.
  const layers = envLayer.dataDir && fileLayer.storage?.driver === 'fs' && !envLayer.storage ? [{ ...fileLayer, storage: undefined }, envLayer] : [fileLayer, envLayer];
  const config = finalizeConfig(merged, layers);
  if (!isAbsolute(config.dataDir)) config.dataDir = resolve(cwd, config.dataDir);
  if (config.storage.driver === 'fs' && !isAbsolute(config.storage.root)) config.storage = { driver: 'fs', root: resolve(cwd, config.storage.root) };
  if (text !== null) config.source = path;
  // No uplinks in the file: proxy the registry of the user's npm config (read from .npmrc files).
  if (!fileLayer.uplinks) withNpmUpstream(config, { env, cwd });
  return config;
}
