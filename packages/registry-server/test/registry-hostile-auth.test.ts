import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { memoryDriver, StoreError, wrapStore } from '@factorywager/r2-store';
import { createAuth } from '../src/auth/auth.ts';
import { addUser, deleteUser } from '../src/auth/user-admin.ts';
import type { RegistryConfig } from '../src/config/types.ts';
import { memoryStore, publishBody, setup, snapshot, type CallOptions } from './_helpers.ts';

const PW = 'a long enough password';

describe('hostile credentials against the real auth module', () => {
  it('no, forged, alg:none, tampered, expired, revoked and read-only tokens, and publishing against the rules: 4xx JSON, store unchanged', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const store = memoryStore();
    const config: Pick<RegistryConfig, 'auth' | 'users' | 'packages'> = {
      auth: { mode: 'jwt', secret: 'the-configured-secret-of-32-chars!!', tokenTtl: '30d', allowRegistration: true, maxLoginAttempts: 5, trustProxy: false } as RegistryConfig['auth'],
      users: { alice: { roles: ['admins'] } },
      packages: [
        { pattern: '@acme/*', access: ['$authenticated'], publish: ['admins'], unpublish: ['admins'] },
        { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] },
      ],
    };
    const auth = createAuth({ store, config, now: () => clock, passwordIterations: 1000, clientAddress: () => '127.0.0.1' });
    const s = setup({ store, auth, rules: config.packages });
    const adduser = async (name: string) => {
      const res = await s.call('PUT', `/-/user/org.couchdb.user:${name}`, { body: { _id: `org.couchdb.user:${name}`, name, password: PW, email: `${name}@example.com`, type: 'user' } });
      expect(res.status).toBe(201);
      return (await res.json()).token as string;
    };
    // alice holds a role: open sign-up may not claim her name, an administrator creates her
    const squat = await s.call('PUT', '/-/user/org.couchdb.user:alice', { body: { name: 'alice', password: 'squatters password' } });
    expect(squat.status).toBe(403);
    await addUser(store, 'alice', PW, { iterations: 1000 });
    const alice = await adduser('alice');
    const bob = await adduser('bob');
    const gone = await adduser('gone');
    await deleteUser(store, 'gone');
    expect((await s.call('PUT', '/@acme%2fui', { token: alice, body: await publishBody('@acme/ui', '1.0.0') })).status).toBe(201);
    expect((await s.call('PUT', '/mine', { token: alice, body: await publishBody('mine', '1.0.0') })).status).toBe(201);
    const ro = (await (await s.call('POST', '/-/npm/v1/tokens', { token: alice, body: { password: PW, readonly: true } })).json()).token as string;
    const doomed = await (await s.call('POST', '/-/npm/v1/tokens', { token: alice, body: { password: PW } })).json();
    expect((await s.call('DELETE', `/-/npm/v1/tokens/token/${doomed.key}`, { token: alice })).status).toBeLessThan(300);
    const rev = (await (await s.call('GET', '/mine?write=true')).json())._rev as string;
    const deprecate = await (await s.call('GET', '/mine?write=true')).json();
    deprecate.versions['1.0.0'].deprecated = 'no';
    await s.handler.idle();
    const before = await snapshot(store);

    const claims = JSON.parse(Buffer.from(alice.split('.')[1]!, 'base64url').toString());
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another secret entirely, 32+ chars'));
    const none = new UnsecuredJWT(claims).encode();
    const tampered = alice.replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ ...claims, sub: 'bob' })).toString('base64url')}.`);
    const publishMine = await publishBody('mine', '2.0.0');
    const cases: Array<[string, string, string, CallOptions, number]> = [
      ['publish without a token', 'PUT', '/mine', { body: publishMine }, 401],
      ['forged token', 'PUT', '/mine', { token: forged, body: publishMine }, 401],
      ['alg:none token', 'PUT', '/mine', { token: none, body: publishMine }, 401],
      ['tampered payload', 'PUT', '/mine', { token: tampered, body: publishMine }, 401],
      ['garbage token', 'PUT', '/mine', { token: 'garbage', body: publishMine }, 401],
      ['basic credentials', 'PUT', '/mine', { headers: { authorization: 'Basic YWxpY2U6cHc=' }, body: publishMine }, 401],
      ['revoked token', 'PUT', '/mine', { token: doomed.token, body: publishMine }, 401],
      ['token of a deleted user', 'PUT', '/mine', { token: gone, body: publishMine }, 401],
      ['basic credentials of a deleted user', 'PUT', '/mine', { headers: { authorization: `Basic ${Buffer.from(`gone:${PW}`).toString('base64')}` }, body: publishMine }, 401],
      ['read-only token publishing', 'PUT', '/mine', { token: ro, body: publishMine }, 403],
      ['read-only token tagging', 'PUT', '/-/package/mine/dist-tags/next', { token: ro, body: '1.0.0' }, 403],
      ['read-only token deprecating', 'PUT', '/mine', { token: ro, body: deprecate }, 403],
      ['read-only token unpublishing', 'DELETE', `/mine/-rev/${rev}`, { token: ro }, 403],
      ['publishing over another user\'s package against the rules', 'PUT', '/@acme%2fui', { token: bob, body: await publishBody('@acme/ui', '2.0.0') }, 403],
      ['unpublishing it against the rules', 'DELETE', '/@acme%2fui/-rev/1-x', { token: bob }, 403],
      ['anonymous read of a members-only package', 'GET', '/@acme%2fui', {}, 401],
      ['forged token reading', 'GET', '/mine', { token: forged }, 401],
    ];
    const run = async (what: string, method: string, path: string, opts: CallOptions, status: number) => {
      const res = await s.call(method, path, opts);
      const text = await res.text();
      expect(res.status, `${what}: ${text}`).toBe(status);
      expect(res.headers.get('content-type'), what).toContain('application/json');
      expect(typeof JSON.parse(text).error, what).toBe('string');
    };
    for (const c of cases) await run(...c);
    clock += 31 * 86_400_000;
    await run('expired token', 'PUT', '/mine', { token: alice, body: publishMine }, 401);

    expect(await snapshot(store)).toEqual(before);
    expect(JSON.stringify(s.logs)).not.toContain(alice);
    expect(JSON.stringify(s.logs)).not.toContain(doomed.key);
    expect((await s.call('GET', '/mine')).status).toBe(200);
    // Tokens minted now (after the clock moved) work: the server is healthy.
    expect((await s.call('GET', '/@acme%2fui', { token: await adduser('carol') })).status).toBe(200);
    // a deleted name is closed to open sign-up; re-created by an administrator, it does not inherit the old tokens
    expect((await s.call('PUT', '/-/user/org.couchdb.user:gone', { body: { name: 'gone', password: PW } })).status).toBe(403);
    await addUser(store, 'gone', PW, { iterations: 1000 });
    await adduser('gone');
    expect((await s.call('GET', '/-/whoami', { token: gone })).status).toBe(401);
  });

  it('logs why an auth route failed: the error of a 4xx, the cause of a 5xx', async () => {
    const config: Pick<RegistryConfig, 'auth' | 'users' | 'packages'> = {
      auth: { mode: 'jwt', secret: 'the-configured-secret-of-32-chars!!', tokenTtl: '30d', allowRegistration: false, maxLoginAttempts: 5, trustProxy: false } as RegistryConfig['auth'],
      users: {},
      packages: [{ pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] }],
    };
    const login = (s: ReturnType<typeof setup>) => s.call('PUT', '/-/user/org.couchdb.user:nobody', { body: { name: 'nobody', password: PW } });
    const up = memoryStore();
    const ok = setup({ store: up, auth: createAuth({ store: up, config, passwordIterations: 1000 }), rules: config.packages });
    expect((await login(ok)).status).toBe(401);
    expect(ok.logs.at(-1)).toMatchObject({ status: 401, error: 'incorrect user name or password' });

    const down = wrapStore({ ...memoryDriver(), get: async () => { throw new StoreError('UNAVAILABLE', 'connect ECONNREFUSED 10.0.0.5:9000'); } });
    const broken = setup({ store: down, auth: createAuth({ store: down, config, passwordIterations: 1000 }), rules: config.packages });
    expect((await login(broken)).status).toBeGreaterThanOrEqual(500);
    expect(broken.logs.at(-1)).toMatchObject({ error: 'storage error', cause: expect.stringContaining('ECONNREFUSED') });
  });
});
