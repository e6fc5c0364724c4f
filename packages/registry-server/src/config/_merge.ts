import { defaultPublicUrl } from './public-url.ts';
import type { RegistryConfig } from './types.ts';

/** A config layer: any subset of the fields, nested. */
export type ConfigLayer = { [K in keyof RegistryConfig]?: RegistryConfig[K] extends object ? Partial<RegistryConfig[K]> | RegistryConfig[K] : RegistryConfig[K] };

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// Objects merge key by key; arrays, `storage` and maps of named entries are replaced whole.
const REPLACE = new Set(['storage', 'packages', 'users', 'uplinks']);

function merge(base: Record<string, unknown>, over: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = isPlain(value) && isPlain(current) && !(depth === 0 && REPLACE.has(key)) ? merge(current, value, depth + 1) : value;
  }
  return out;
}

/** `layer` over `base`, without mutating either. */
export function mergeConfig(base: RegistryConfig, layer: ConfigLayer): RegistryConfig {
  return merge(base as unknown as Record<string, unknown>, layer as Record<string, unknown>, 0) as unknown as RegistryConfig;
}

/**
 * Derived fields: the fs store follows `dataDir` and the public URL follows `listen`, unless a layer
 * set them explicitly; the default package rule proxies every configured uplink (none with
 * `uplinks: {}`), unless a layer set the rules.
 */
export function finalizeConfig(config: RegistryConfig, layers: ConfigLayer[]): RegistryConfig {
  const out = structuredClone(config);
  if (!layers.some((l) => l.packages)) {
    const uplinks = Object.keys(out.uplinks);
    out.packages = out.packages.map((rule) => {
      const { proxy: _, ...rest } = rule;
      return uplinks.length ? { ...rest, proxy: uplinks } : rest;
    });
  }
  if (!layers.some((l) => l.storage)) out.storage = { driver: 'fs', root: out.dataDir };
  if (!layers.some((l) => l.publicUrl)) out.publicUrl = defaultPublicUrl(out.listen.host, out.listen.port);
  return out;
}
