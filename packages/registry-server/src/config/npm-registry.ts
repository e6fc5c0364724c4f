import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'ini';
import { NPM_PUBLIC_REGISTRY } from './defaults.ts';
import type { ConfigEnv } from './env.ts';
import type { RegistryConfig } from './types.ts';

/** The registry npm would use, and where that came from. */
export interface NpmRegistry {
  url: string;
  /** `npm_config_registry`, a .npmrc path, or `default`. */
  origin: string;
}

const isHttpUrl = (text: unknown): text is string => {
  if (typeof text !== 'string') return false;
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
};

/** npm's `${VAR}` expansion inside .npmrc values. */
const expand = (value: string, env: ConfigEnv) => value.replace(/\$\{([^}?]+)\??\}/g, (_, name: string) => env[name] ?? '');

/** npm's project folder: the nearest folder from `cwd` up with a package.json or node_modules, else `cwd`. */
function projectFolder(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'node_modules'))) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

function registryIn(file: string, env: ConfigEnv): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const value = (parse(text) as Record<string, unknown>).registry;
  const url = typeof value === 'string' ? expand(value.trim(), env) : null;
  return isHttpUrl(url) ? url : null;
}

/**
 * The registry of the user's npm config, as `npm config get registry` answers it, read without
 * spawning npm: `npm_config_registry` in the environment, then the project's .npmrc, then the user's
 * (`npm_config_userconfig`, else .npmrc in `home`, HOME or the OS home), else the public npm registry. (npm's global npmrc is not read.)
 * @example
 * npmConfigRegistry({ env: process.env, cwd: process.cwd() });
 * // { url: 'https://registry.npmjs.org/', origin: 'default' }
 */
export function npmConfigRegistry(options: { env?: ConfigEnv; cwd?: string; home?: string } = {}): NpmRegistry {
  const env = options.env ?? process.env;
  for (const [key, value] of Object.entries(env)) {
    if (key.toLowerCase() === 'npm_config_registry' && isHttpUrl(value?.trim())) return { url: value!.trim(), origin: key };
  }
  const project = join(projectFolder(options.cwd ?? process.cwd()), '.npmrc');
  const fromProject = registryIn(project, env);
  if (fromProject) return { url: fromProject, origin: project };
  const userKey = Object.keys(env).find((k) => k.toLowerCase() === 'npm_config_userconfig');
  const user = (userKey && env[userKey]?.trim()) || join(options.home ?? (env.HOME?.trim() || homedir()), '.npmrc');
  const fromUser = registryIn(user, env);
  if (fromUser) return { url: fromUser, origin: user };
  return { url: NPM_PUBLIC_REGISTRY, origin: 'default' };
}

const originOf = (url: string) => {
  try {
    const u = new URL(url);
    const host = u.hostname === 'localhost' || u.hostname === '[::1]' ? '127.0.0.1' : u.hostname;
    return `${u.protocol}//${host}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return url;
  }
};

/**
 * Points the default uplink (`upstream`, when no config layer named the uplinks) at the registry of
 * the user's npm config, recording where it came from. An npm config that points at this registry
 * itself (after `fw registry setup npm`) is ignored: the public npm registry stays the uplink.
 * @example
 * withNpmUpstream(config, { env: process.env, cwd: process.cwd() });
 * config.uplinks.upstream; // { url: 'https://npm.corp.example/', origin: '/home/me/.npmrc', ... }
 */
export function withNpmUpstream(config: RegistryConfig, options: { env?: ConfigEnv; cwd?: string; home?: string } = {}): RegistryConfig {
  const uplink = config.uplinks.upstream;
  if (!uplink) return config;
  const found = npmConfigRegistry(options);
  const self = [config.publicUrl, `http://${config.listen.host}:${config.listen.port}`].map(originOf);
  if (self.includes(originOf(found.url))) {
    uplink.origin = `default; the npm config (${found.origin}) names this registry`;
  } else {
    uplink.url = found.url;
    uplink.origin = found.origin === 'default' ? 'default' : `npm config: ${found.origin}`;
  }
  return config;
}
