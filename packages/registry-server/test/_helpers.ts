import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { createTarGzip } from 'nanotar';
import { memoryDriver, wrapStore, type Store } from '@factorywager/r2-store';
import { checkAccess, needsMaintainer } from '../src/auth/access.ts';
import type { Auth, Principal } from '../src/auth/types.ts';
import type { PackageRule } from '../src/config/types.ts';
import { RegistryError } from '../src/errors.ts';
import { createRegistryHandler, type RegistryHandler, type RegistryHandlerDeps, type RequestLogEntry } from '../src/index.ts';
import { readTarball } from '../src/node.ts';

export const BASE = 'http://registry.test';

export function memoryStore(): Store {
  return wrapStore(memoryDriver());
}

/** A tiny fake of the Auth interface: fixed bearer tokens, the real rule checker. */
export function fakeAuth(rules: PackageRule[]): Auth {
  const tokens: Record<string, Principal> = {
    'tok-ana': { name: 'ana', roles: ['dev'], readOnly: false },
    'tok-bob': { name: 'bob', roles: [], readOnly: false },
    'tok-ro': { name: 'ana', roles: ['dev'], readOnly: true },
    'tok-admin': { name: 'root', roles: ['admin'], readOnly: false },
  };
  const routes = new Hono();
  routes.get('/-/whoami', async (c) => {
    const p = await auth.authenticate(c.req.raw);
    return p ? c.json({ username: p.name }) : c.json({ error: 'not logged in' }, 401);
  });
  const auth: Auth = {
    async authenticate(req) {
      const header = req.headers.get('authorization');
      if (!header) return null;
      const token = header.replace(/^Bearer /, '');
      const p = tokens[token];
      if (!p) throw new RegistryError('UNAUTHORIZED', 'invalid token');
      return p;
    },
    can: (p, action, pkg) => checkAccess(rules, p, action, pkg),
    needsMaintainer: (p, action, pkg) => needsMaintainer(rules, p, action, pkg),
    user: async (name) => {
      const p = Object.values(tokens).find((t) => t.name === name);
      return p ? { name, email: `${name}@example.com` } : null;
    },
    configuredUsers: () => [{ name: 'root', roles: ['admin'] }],
    routes,
  };
  return auth;
}

export const openRules: PackageRule[] = [
  { pattern: '@locked/*', access: ['$authenticated'], publish: ['admin'], unpublish: ['admin'] },
  { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] },
];

export interface Setup {
  store: Store;
  handler: RegistryHandler;
  logs: RequestLogEntry[];
  call: (method: string, path: string, opts?: CallOptions) => Promise<Response>;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  raw?: BodyInit;
  headers?: Record<string, string>;
}

export function setup(over: Partial<RegistryHandlerDeps> & { rules?: PackageRule[]; maxBodySize?: number; publicUrl?: string } = {}): Setup {
  const store = over.store ?? memoryStore();
  const logs: RequestLogEntry[] = [];
  const rules = over.rules ?? openRules;
  const handler = createRegistryHandler({
    store,
    readTarball,
    auth: over.auth ?? fakeAuth(rules),
    config: {
      publicUrl: over.publicUrl ?? BASE,
      packages: rules,
      uplinks: over.config?.uplinks ?? {},
      limits: { maxBodySize: over.maxBodySize ?? 1024 * 1024, ...over.config?.limits },
      ...(over.config?.index ? { index: over.config.index } : {}),
      ...(over.config?.cache ? { cache: over.config.cache } : {}),
      ...(over.config?.minReleaseAge !== undefined ? { minReleaseAge: over.config.minReleaseAge } : {}),
      ...(over.config?.minReleaseAgeExclude ? { minReleaseAgeExclude: over.config.minReleaseAgeExclude } : {}),
      ...(over.config?.upstreamSearchTimeout ? { upstreamSearchTimeout: over.config.upstreamSearchTimeout } : {}),
    },
    logger: (e) => logs.push(e),
    ...(over.fetch ? { fetch: over.fetch } : {}),
    ...(over.now ? { now: over.now } : {}),
    ...(over.publishOwner ? { publishOwner: over.publishOwner } : {}),
  });
  const call = (method: string, path: string, opts: CallOptions = {}) =>
    Promise.resolve(handler(new Request(`${BASE}${path}`, requestInit(method, opts))));
  return { store, handler, logs, call };
}

/** Serves a setup's handler on 127.0.0.1 (ephemeral port) and sends `call`s over HTTP instead. */
export function overHttp(s: Setup): Setup & { stop: () => void } {
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: s.handler });
  const origin = `http://127.0.0.1:${server.port}`;
  const call = (method: string, path: string, opts: CallOptions = {}) => fetch(`${origin}${path}`, requestInit(method, opts));
  return { ...s, call, stop: () => void server.stop(true) };
}

export async function tarball(name: string, version: string, extra: Record<string, unknown> = {}, files: Record<string, string> = {}): Promise<Uint8Array> {
  return createTarGzip([
    { name: 'package/package.json', data: JSON.stringify({ name, version, ...extra }) },
    { name: 'package/index.js', data: `module.exports = ${JSON.stringify(`${name}@${version}`)};\n` },
    ...Object.entries(files).map(([n, data]) => ({ name: `package/${n}`, data })),
  ]);
}

/** A publish body as libnpmpublish builds it. */
export async function publishBody(name: string, version: string, opts: { tag?: string; manifest?: Record<string, unknown>; tgz?: Uint8Array } = {}) {
  const tgz = opts.tgz ?? (await tarball(name, version, opts.manifest));
  const integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
  const shasum = createHash('sha1').update(tgz).digest('hex');
  const file = `${name}-${version}.tgz`;
  return {
    _id: name,
    name,
    description: `the ${name} package`,
    'dist-tags': { [opts.tag ?? 'latest']: version },
    versions: {
      [version]: {
        name, version, description: `the ${name} package`, readme: `# ${name}`, ...opts.manifest,
        _id: `${name}@${version}`,
        dist: { integrity, shasum, tarball: `http://elsewhere/${name}/-/${file}` },
      },
    },
    access: null,
    _attachments: { [file]: { content_type: 'application/octet-stream', data: Buffer.from(tgz).toString('base64'), length: tgz.byteLength } },
  };
}

/** Path segment of a package as npm escapes it. */
export const esc = (name: string) => name.replace('/', '%2f');

export async function publish(s: Setup, name: string, version: string, opts: Parameters<typeof publishBody>[2] & { token?: string } = {}) {
  const res = await s.call('PUT', `/${esc(name)}`, { token: opts.token ?? 'tok-ana', body: await publishBody(name, version, opts) });
  if (res.status !== 201) throw new Error(`publish ${name}@${version}: ${res.status} ${await res.text()}`);
  // what is written after the answer (graph.json, the journal entry's removal) is done too
  await s.handler.idle();
  return res;
}

/** sha256 of every object in the store, by key. */
export async function snapshot(store: Store): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let cursor: string | undefined;
  do {
    const page = await store.list({ ...(cursor ? { cursor } : {}) });
    for (const key of page.keys) {
      const obj = await store.get(key);
      out[key] = createHash('sha256').update(obj!.body).digest('hex');
    }
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** The RequestInit a `call` sends: bearer token, JSON body (or raw bytes), extra headers. */
function requestInit(method: string, opts: CallOptions): RequestInit {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: BodyInit | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  return { method, headers, ...(body !== undefined ? { body } : {}) };
}
