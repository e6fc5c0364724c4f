import { SemverGraphError } from './errors.ts';
import type { Packument } from './types.ts';

/**
 * The registry used when neither an option nor REGISTRY_URL names one.
 *
 * @example
 * ```ts
 * new VersionManager({ registryUrl: process.env.REGISTRY_URL ?? DEFAULT_REGISTRY_URL });
 * ```
 */
export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:4873';

/** Options of {@link fetchPackument}. */
export interface FetchPackumentOptions {
  /** Registry base URL; default REGISTRY_URL, else {@link DEFAULT_REGISTRY_URL}. */
  registryUrl?: string;
  /** A fetch implementation (default `globalThis.fetch`); inject one in tests. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /**
   * Bearer token sent as `Authorization`, or a function that finds one when a request needs it: a
   * read goes without it first and asks the function only when the registry refuses (401, 403, or a
   * 404, since registries hide private packages); a write always asks it. The CLI passes the lookup
   * it uses everywhere (the secrets manager, .npmrc), which costs more than the request itself.
   */
  token?: string | TokenLookup;
}

/** Finds the token for a registry when a request is about to be sent; null for none. */
export type TokenLookup = () => Promise<string | null | undefined> | string | null | undefined;

/** The token of the options, looked up once per request. @internal */
export async function tokenOf(options: FetchPackumentOptions): Promise<string | null> {
  const t = typeof options.token === 'function' ? await options.token() : options.token;
  return t || null;
}

/**
 * Sends a request with the options' token: a string at once; a lookup for writes at once, for reads
 * only after the registry refused the anonymous read (then the read is sent again with it). @internal
 */
export async function sendWithToken(options: FetchPackumentOptions, url: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const send = (token: string | null) => doFetch(url, token ? { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } } : init);
  const lazy = typeof options.token === 'function' && (init.method ?? 'GET') === 'GET';
  if (!lazy) return send(await tokenOf(options));
  const first = await send(null);
  if (first.status !== 401 && first.status !== 403 && first.status !== 404) return first;
  const token = await tokenOf(options);
  if (!token) return first;
  await first.body?.cancel().catch(() => {});
  return send(token);
}

const NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9._~-][a-z0-9._~-]*$/i;

/**
 * The packument URL of a package: `@scope/name` is encoded as `@scope%2fname`.
 *
 * @example
 * ```ts
 * packumentUrl('http://127.0.0.1:4873/', '@factorywager/semver-graph');
 * // 'http://127.0.0.1:4873/@factorywager%2fsemver-graph'
 * ```
 */
export function packumentUrl(registryUrl: string, name: string): string {
  if (!NAME.test(name) || name.length > 214) {
    throw new SemverGraphError('INVALID_PACKAGE_NAME', `invalid package name "${name}"`, { input: name });
  }
  return `${registryUrl.replace(/\/+$/, '')}/${name.replace('/', '%2f')}`;
}

/**
 * Fetches a packument from an npm registry. A 404 is `PACKAGE_NOT_FOUND`; any other failure
 * (network, status, body) is `FETCH_FAILED` with the cause.
 *
 * @example
 * ```ts
 * const packument = await fetchPackument('lodash', { registryUrl: 'http://127.0.0.1:4873' });
 * ```
 */
export async function fetchPackument(name: string, options: FetchPackumentOptions = {}): Promise<Packument> {
  const registryUrl = options.registryUrl ?? envRegistryUrl() ?? DEFAULT_REGISTRY_URL;
  const url = packumentUrl(registryUrl, name);
  let response: Response;
  try {
    response = await sendWithToken(options, url, { headers: { accept: 'application/json' } });
  } catch (cause) {
    throw new SemverGraphError('FETCH_FAILED', `cannot reach ${registryUrl} for ${name}: ${(cause as Error)?.message ?? String(cause)}`, { input: name, cause });
  }
  if (response.status === 404) {
    throw new SemverGraphError('PACKAGE_NOT_FOUND', `${name} is not in the registry at ${registryUrl}`, { input: name });
  }
  if (!response.ok) {
    throw new SemverGraphError('FETCH_FAILED', `${registryUrl} answered ${response.status} for ${name}`, { input: name });
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new SemverGraphError('FETCH_FAILED', `${registryUrl} sent an unreadable packument for ${name}`, { input: name, cause });
  }
  if (!body || typeof body !== 'object' || typeof (body as Packument).name !== 'string') {
    throw new SemverGraphError('INVALID_PACKUMENT', `${registryUrl} sent an invalid packument for ${name}`, { input: name });
  }
  return body as Packument;
}

/** @internal */
export function envRegistryUrl(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.REGISTRY_URL || undefined;
}
