// Shared set-up of the auth tests: a real store (the memory driver) and the auth routes.
import { memoryDriver, wrapStore, type Store } from '@factorywager/r2-store';
import { createAuth, type AuthDeps } from '../src/auth/auth.ts';
import { addUser } from '../src/auth/user-admin.ts';
import type { RegistryConfig } from '../src/config/types.ts';

export function authConfig(over: Partial<RegistryConfig['auth']> = {}): AuthDeps['config'] {
  return {
    auth: { mode: 'jwt', tokenTtl: '30d', allowRegistration: true, maxLoginAttempts: 5, maxSignupsPerAddress: 10, trustProxy: false, ...over },
    users: { alice: { roles: ['admins'] } },
    packages: [
      { pattern: '@acme/*', access: ['$authenticated'], publish: ['admins'], unpublish: ['admins'] },
      { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] },
    ],
  };
}

export function setup(opts: { config?: AuthDeps['config']; store?: Store; now?: () => number; address?: string } = {}) {
  const store = opts.store ?? wrapStore(memoryDriver());
  const config = opts.config ?? authConfig();
  const auth = createAuth({
    store,
    config,
    now: opts.now,
    clientAddress: () => opts.address ?? '127.0.0.1',
  });
  const call = async (method: string, path: string, { body, token, headers = {} }: { body?: unknown; token?: string; headers?: Record<string, string> } = {}) => {
    const h: Record<string, string> = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await auth.routes.fetch(new Request(`http://registry.test${path}`, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) }));
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
  };
  // Accounts the config names are created by an administrator, then log in like anyone.
  const adduser = async (name: string, password: string) => {
    if (Object.hasOwn(config.users, name) && !(await store.head(`auth/users/${name}.json`))) await addUser(store, name, password);
    return call('PUT', `/-/user/org.couchdb.user:${encodeURIComponent(name)}`, { body: { _id: `org.couchdb.user:${name}`, name, password, email: `${name}@example.com`, type: 'user', roles: [] } });
  };
  const req = (token?: string) => new Request('http://registry.test/x', { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { store, auth, call, adduser, req };
}
