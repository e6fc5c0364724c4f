// The registry URL: normalising and the order of its sources. Pure (the warm path uses it).
import { BunxError } from './errors.ts';
import { registryFromNpmrc, type Npmrc } from './_npmrc.ts';

/**
 * The local registry, when nothing names another.
 * @example
 * new RegistryConfig({ env: {} }).registryFor('pkg') === DEFAULT_REGISTRY; // with no .npmrc
 */
export const DEFAULT_REGISTRY = 'http://127.0.0.1:4873';

/** Where a value came from, for `bunx:resolve` and error messages. */
export type Source = 'options' | 'REGISTRY_URL' | 'FW_TOKEN' | 'keychain' | '.npmrc' | 'default';

/**
 * A registry URL as the runner keeps it: http(s), path prefix kept, no trailing slash.
 * @example
 * normalizeRegistry('https://npm.example.com/team/'); // 'https://npm.example.com/team'
 */
export function normalizeRegistry(raw: string, from: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new BunxError('INVALID_OPTION', `the registry from ${from} is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BunxError('INVALID_OPTION', `the registry from ${from} is not http(s): ${JSON.stringify(raw)}`);
  }
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

/**
 * The registry for a package: `explicit` (options), REGISTRY_URL, the .npmrc (scope registry, then
 * `registry`; read only when needed), else the local default.
 * @example
 * chooseRegistry('@acme/cli', undefined, { REGISTRY_URL: 'https://r.example/' }, () => new Map()); // { registry: 'https://r.example', source: 'REGISTRY_URL' }
 */
export function chooseRegistry(name: string, explicit: string | undefined, env: Record<string, string | undefined>, rc: () => Npmrc): { registry: string; source: Source } {
  if (explicit) return { registry: normalizeRegistry(explicit, 'options'), source: 'options' };
  const fromEnv = env.REGISTRY_URL?.trim();
  if (fromEnv) return { registry: normalizeRegistry(fromEnv, 'REGISTRY_URL'), source: 'REGISTRY_URL' };
  const fromRc = registryFromNpmrc(rc(), name);
  if (fromRc) return { registry: normalizeRegistry(fromRc, '.npmrc'), source: '.npmrc' };
  return { registry: DEFAULT_REGISTRY, source: 'default' };
}
