// The Cloudflare Workers entry of the package (`@factorywager/registry-server/workers`): the fetch of
// a Worker over an R2 binding. Needs the nodejs_compat flag: publish reads tarballs with node-tar.
import JSON5 from 'json5';
import { r2Driver, wrapStore, type R2BucketLike, type Store } from '@factorywager/r2-store';
import { createAuth } from './auth/auth.ts';
import { configFromEnv } from './config/env.ts';
import { finalizeConfig, mergeConfig, type ConfigLayer } from './config/_merge.ts';
import { baseConfig } from './config/defaults.ts';
import type { RegistryConfig } from './config/types.ts';
import { validateConfigLayer } from './config/validate.ts';
import { errorResponse } from './_error-response.ts';
import { RegistryError } from './errors.ts';
import { createRegistryHandler, type RegistryHandler, type RequestLogEntry } from './handler.ts';
import { readTarball } from './packages/tarball-reader.ts';

/**
 * What a Worker's `env` carries for the registry: the R2 binding, secrets and vars of wrangler.toml.
 * @example
 * // wrangler.toml: [[r2_buckets]] binding = "REGISTRY_BUCKET"; `wrangler secret put REGISTRY_SECRET`
 * const env: WorkerEnv = { REGISTRY_BUCKET: bucket, REGISTRY_URL: 'https://npm.example.com' };
 */
export interface WorkerEnv {
  /** The R2 bucket binding. */
  REGISTRY_BUCKET: R2BucketLike;
  /** Secret: signs tokens (at least 32 characters). Unset: one is generated once and kept in the bucket. */
  REGISTRY_SECRET?: string;
  /** The public URL (tarball links). Unset: the origin of each request. */
  REGISTRY_URL?: string;
  /** JSON5 text: the config file's fields that apply on Workers (packages rules, uplinks, users, auth, limits). */
  REGISTRY_CONFIG?: string;
  /** PBKDF2 iterations for new password hashes: 10,000 to 100,000, default {@link WORKERS_PASSWORD_ITERATIONS}. */
  FW_PASSWORD_ITERATIONS?: string;
  /** `errors` (default: 5xx only), `all` (one JSON line per request) or `none`. */
  REGISTRY_LOG?: string;
  [name: string]: unknown;
}

/** The part of a Worker's ExecutionContext used here. */
export interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * The request body limit on Workers: an isolate has 128 MB, and a publish holds its JSON body, the
 * tarball decoded from it and the unpacked tar (up to 4 times the body) while it is checked.
 * @example
 * WORKERS_MAX_BODY_SIZE; // 10 MiB, unless REGISTRY_CONFIG sets limits.maxBodySize
 */
export const WORKERS_MAX_BODY_SIZE = 10 * 1024 * 1024;

/**
 * PBKDF2 iterations for new hashes on Workers, and the most there are: Cloudflare's Web Crypto refuses
 * PBKDF2 above 100,000 iterations (workerd run locally does not), and every login and token creation
 * spends them in the request's CPU time (about 60 ms per 100,000 in workerd on a shared test machine).
 * A higher FW_PASSWORD_ITERATIONS is a config error on every request; a login against a stored hash
 * with more (made by a Bun or Node server, 600,000 by default) fails saying how to re-create the account.
 * @example
 * WORKERS_PASSWORD_ITERATIONS; // 100_000; FW_PASSWORD_ITERATIONS may set 10,000 to 100,000
 */
export const WORKERS_PASSWORD_ITERATIONS = 100_000;

const CONFIG_FIELDS_NOT_ON_WORKERS = ['listen', 'storage', 'dataDir'] as const;

const text = (env: WorkerEnv, name: string): string | undefined => (typeof env[name] === 'string' ? (env[name] as string) : undefined);

/**
 * The registry's config on Workers: the defaults, then the JSON5 text of REGISTRY_CONFIG (validated,
 * errors name the field), then REGISTRY_URL and REGISTRY_SECRET. Storage is the R2 binding, never
 * from the config; `listen`, `storage` and `dataDir` in REGISTRY_CONFIG are refused.
 * @example
 * const config = workerConfig({ REGISTRY_BUCKET: env.REGISTRY_BUCKET, REGISTRY_CONFIG: '{ uplinks: {} }' });
 */
export function workerConfig(env: WorkerEnv): RegistryConfig {
  let fileLayer: ConfigLayer = {};
  const raw = text(env, 'REGISTRY_CONFIG');
  if (raw?.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON5.parse(raw);
    } catch (err) {
      throw new RegistryError('INVALID_CONFIG', `REGISTRY_CONFIG: not valid JSON5 (${(err as Error).message.replace(/^JSON5: /, '')})`, { cause: err });
    }
    fileLayer = validateConfigLayer(parsed, 'REGISTRY_CONFIG');
    for (const field of CONFIG_FIELDS_NOT_ON_WORKERS) {
      if (fileLayer[field] !== undefined) throw new RegistryError('INVALID_CONFIG', `REGISTRY_CONFIG: ${field} does not apply on Workers (the store is the R2 binding)`);
    }
  }
  const envLayer = configFromEnv({ REGISTRY_URL: text(env, 'REGISTRY_URL'), REGISTRY_SECRET: text(env, 'REGISTRY_SECRET') });
  const base = baseConfig();
  base.limits.maxBodySize = WORKERS_MAX_BODY_SIZE;
  const config = finalizeConfig(mergeConfig(mergeConfig(base, fileLayer), envLayer), [fileLayer, envLayer]);
  config.storage = { driver: 'memory' }; // not used: the handler gets the R2 store
  config.source = 'REGISTRY_CONFIG';
  return config;
}

function iterations(env: WorkerEnv): number {
  const raw = text(env, 'FW_PASSWORD_ITERATIONS')?.trim();
  if (!raw) return WORKERS_PASSWORD_ITERATIONS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 10_000 || n > WORKERS_PASSWORD_ITERATIONS) {
    throw new RegistryError('INVALID_CONFIG', `environment: FW_PASSWORD_ITERATIONS must be a whole number from 10000 to ${WORKERS_PASSWORD_ITERATIONS} on Workers (Cloudflare's Web Crypto refuses PBKDF2 above ${WORKERS_PASSWORD_ITERATIONS} iterations), got ${JSON.stringify(raw)}`);
  }
  return n;
}

function logger(env: WorkerEnv): ((e: RequestLogEntry) => void) | undefined {
  const mode = text(env, 'REGISTRY_LOG') ?? 'errors';
  if (mode === 'none') return undefined;
  return (e) => {
    if (mode === 'all' || e.status >= 500) console.log(JSON.stringify(e));
  };
}

/**
 * The Workers `fetch` of the registry: one handler per isolate (and per public URL) over the R2
 * binding, download counts written with `waitUntil`, the client address from CF-Connecting-IP. A
 * config error answers 500 with the error named, and is retried on the next request.
 * @example
 * // apps/server/src/worker.ts
 * export default { fetch: createWorkerFetch() };
 */
export function createWorkerFetch(): (req: Request, env: WorkerEnv, ctx?: WorkerContext) => Promise<Response> {
  const handlers = new WeakMap<object, Map<string, RegistryHandler>>();
  const stores = new WeakMap<object, Store>();
  // each request keeps alive only the writes it started: waiting on another request's I/O makes workerd
  // cancel the waiting request as hung
  const contexts = new WeakMap<Request, WorkerContext>();
  const background = (req: Request, work: Promise<unknown>) => contexts.get(req)?.waitUntil(work);

  const handlerFor = (env: WorkerEnv, req: Request): RegistryHandler => {
    const publicUrl = text(env, 'REGISTRY_URL')?.trim().replace(/\/+$/, '') || new URL(req.url).origin;
    let byUrl = handlers.get(env);
    if (!byUrl) handlers.set(env, (byUrl = new Map()));
    let handler = byUrl.get(publicUrl);
    if (!handler) {
      const config = workerConfig(env);
      let store = stores.get(env);
      if (!store) stores.set(env, (store = wrapStore(r2Driver(env.REGISTRY_BUCKET))));
      config.publicUrl = publicUrl;
      // shareInflight false: in workerd a request that awaits a read another request started runs on
      // in that request's context (500 "Cannot perform I/O on behalf of a different request"), or is
      // cancelled as hung when that request ends first
      const auth = createAuth({
        store, config, passwordIterations: iterations(env), maxPasswordIterations: WORKERS_PASSWORD_ITERATIONS, shareInflight: false,
        clientAddress: (r) => r.headers.get('cf-connecting-ip'),
      });
      const log = logger(env);
      handler = createRegistryHandler({ store, config, auth, readTarball, background, shareInflight: false, ...(log ? { logger: log } : {}) });
      byUrl.set(publicUrl, handler);
    }
    return handler;
  };

  return async (req, env, ctx) => {
    let handler: RegistryHandler;
    try {
      handler = handlerFor(env, req);
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      console.log(JSON.stringify({ error: message }));
      return errorResponse(new RegistryError('INVALID_CONFIG', `registry misconfigured: ${message}`, { cause: err }));
    }
    if (ctx) contexts.set(req, ctx);
    return handler(req);
  };
}
