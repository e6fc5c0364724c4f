import { formatAge } from '../proxy/_via.ts';
import type { RegistryConfig } from './types.ts';

/**
 * The start-up lines that say what the registry proxies: each uplink some rule proxies to (with where
 * its URL came from), the release-age guard and its exemptions, and the reserved (private) patterns.
 * @example
 * proxySummary(config);
 * // ['proxy:   https://registry.npmjs.org/ (default) for names not published here',
 * //  'guard:   upstream versions younger than 1d are held back']
 */
export function proxySummary(config: Pick<RegistryConfig, 'packages' | 'uplinks' | 'minReleaseAge' | 'minReleaseAgeExclude'>): string[] {
  const proxied = new Set(config.packages.filter((r) => !r.private).flatMap((r) => r.proxy ?? []));
  const uplinks = [...proxied].flatMap((id) => (config.uplinks[id] ? [[id, config.uplinks[id]!] as const] : []));
  if (uplinks.length === 0) return ['proxy:   off (only packages published here are served)'];
  const lines = uplinks.map(([id, u], i) => `${i === 0 ? 'proxy:  ' : '        '} ${u.url}${u.origin ? ` (${u.origin})` : id === 'upstream' ? '' : ` (${id})`}${i === 0 ? ' for names not published here' : ''}`);
  const exempt = config.minReleaseAgeExclude.length ? `, except ${config.minReleaseAgeExclude.join(', ')}` : '';
  lines.push(config.minReleaseAge > 0
    ? `guard:   upstream versions younger than ${formatAge(config.minReleaseAge)} are held back${exempt}`
    : 'guard:   off (minReleaseAge 0): upstream versions are served as soon as they are published');
  const reserved = config.packages.filter((r) => r.private || !(r.proxy ?? []).some((id) => config.uplinks[id])).map((r) => r.pattern);
  if (reserved.length) lines.push(`private: ${reserved.join(', ')} (never proxied)`);
  return lines;
}

/**
 * The config with the proxy off (`registry:start --no-proxy`): no uplinks, no rule proxies.
 * @example
 * const config = withoutProxy(await loadRegistryConfig());
 */
export function withoutProxy<T extends Pick<RegistryConfig, 'packages' | 'uplinks'>>(config: T): T {
  return { ...config, uplinks: {}, packages: config.packages.map(({ proxy: _, ...rule }) => rule) };
}
