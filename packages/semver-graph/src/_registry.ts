import { SemverGraphError } from './errors.ts';
import { DEFAULT_REGISTRY_URL, envRegistryUrl, packumentUrl, sendWithToken, type FetchPackumentOptions } from './fetch-packument.ts';
import type { GraphOptions, VersionGraph, VersionNode } from './types.ts';

/** One event of a package's history as the registry's `GET /-/fw/history` serves it. */
export interface RegistryHistoryEvent {
  type: string;
  actor: string;
  time: string;
  version?: string;
  tag?: string;
  /** Rollbacks: where the tag pointed before, and where it points now. */
  from?: string | null;
  to?: string;
  reason?: string;
  before?: unknown;
  after?: unknown;
}

/** What the registry's `POST /-/fw/rollback` answers. */
export interface RegistryRollbackResult {
  changed: boolean;
  package: string;
  tag: string;
  from: string | null;
  to: string;
  'dist-tags': Record<string, string>;
  /** The event recorded; absent when nothing changed. */
  event?: RegistryHistoryEvent;
}

const STATUS_CODES: Record<number, 'REJECTED' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'PACKAGE_NOT_FOUND' | 'CONFLICT'> = {
  400: 'REJECTED', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'PACKAGE_NOT_FOUND', 409: 'CONFLICT',
};

/** The base URL of the options, without a trailing slash. @internal */
export function baseUrl(options: FetchPackumentOptions): string {
  return (options.registryUrl ?? envRegistryUrl() ?? DEFAULT_REGISTRY_URL).replace(/\/+$/, '');
}

/** `@scope/name` as it goes in a path after `/-/fw/graph/` (checked like a packument name). @internal */
export function namePath(name: string): string {
  return packumentUrl('', name).slice(1);
}

/** A request to the registry; resolves the Response, or null when `missingOk` and the route is absent. @internal */
export async function registryFetch(
  options: FetchPackumentOptions,
  path: string,
  init: { method?: string; body?: unknown; accept?: string; missingOk?: boolean; name?: string } = {},
): Promise<Response | null> {
  const base = baseUrl(options);
  const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await sendWithToken(options, `${base}${path}`, {
      method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch (cause) {
    const what = init.name ? ` for ${init.name}` : '';
    throw new SemverGraphError('FETCH_FAILED', `cannot reach ${base}${what}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
  if (res.ok) return res;
  const text = await res.text().catch(() => '');
  let message: unknown;
  try { message = (JSON.parse(text) as { error?: unknown }).error; } catch { /* not our JSON */ }
  // A registry without the route (npmjs, Verdaccio, an older FactoryWager) answers 404, 405 or 501;
  // the caller falls back (a package that is really missing is then reported by that fallback).
  if (init.missingOk && (res.status === 404 || res.status === 405 || res.status === 501)) return null;
  const code = STATUS_CODES[res.status] ?? 'FETCH_FAILED';
  throw new SemverGraphError(code, typeof message === 'string' && message ? message : `${base} answered ${res.status} for ${init.method ?? 'GET'} ${path}`);
}

/** The JSON of a response, or FETCH_FAILED. @internal */
export async function jsonOf<T>(res: Response, what: string): Promise<T> {
  try {
    return (await res.json()) as T;
  } catch (cause) {
    throw new SemverGraphError('FETCH_FAILED', `the registry sent unreadable ${what}`, { cause });
  }
}

/** The query of a graph request. @internal */
export function graphSearch(format: string, options: GraphOptions & { color?: boolean }): string {
  const q = new URLSearchParams({ format });
  if (options.range) q.set('range', options.range);
  if (options.limit !== undefined) q.set('limit', String(options.limit));
  if (options.since) q.set('since', options.since instanceof Date ? options.since.toISOString() : options.since);
  if (options.color) q.set('color', '1');
  return q.toString();
}

interface D3Like {
  name?: unknown;
  current?: string | null;
  latest?: string | null;
  rollback?: string | null;
  distTags?: Record<string, string>;
  total?: number;
  nodes?: Array<Partial<VersionNode> & { id: string; line?: string | null }>;
  links?: VersionGraph['links'];
}

/**
 * A {@link VersionGraph} from the D3 JSON form the registry serves (`format=json`): the same nodes
 * and links, the dist-tags rebuilt from the nodes when the registry sends none.
 * @internal
 */
export function graphFromD3(data: D3Like, name: string): VersionGraph {
  if (!data || typeof data !== 'object' || data.name !== name || !Array.isArray(data.nodes) || !Array.isArray(data.links)) {
    throw new SemverGraphError('FETCH_FAILED', `the registry sent an invalid graph for ${name}`, { input: name });
  }
  const nodes: VersionNode[] = data.nodes.map((n) => ({
    id: n.id,
    status: n.status ?? 'archived',
    tags: [...(n.tags ?? [])],
    publishedAt: n.publishedAt ?? null,
    publisher: n.publisher ?? null,
    deprecated: n.deprecated ?? null,
    line: n.line ?? '',
    prerelease: n.prerelease ?? false,
  }));
  const distTags = data.distTags ?? Object.fromEntries(nodes.flatMap((n) => n.tags.map((t) => [t, n.id])));
  return {
    name,
    current: data.current ?? null,
    latest: data.latest ?? null,
    rollback: data.rollback ?? null,
    distTags,
    total: data.total ?? nodes.length,
    nodes,
    links: data.links.map((l) => ({ source: l.source, target: l.target, type: l.type })),
  };
}
