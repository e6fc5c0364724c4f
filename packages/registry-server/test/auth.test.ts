import { describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT } from 'jose';
import { memoryDriver, StoreError, wrapStore } from '@factorywager/r2-store';
import { authConfig, setup } from './auth-fixture.ts';

const PW = 'correct horse battery';

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('adduser, login, whoami', () => {
  it('creates a user (201 with a token), logs in with the right password, refuses a wrong one', async () => {
    const { adduser, call, store } = setup();
    const created = await adduser('alice', PW);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: 'org.couchdb.user:alice' });
    expect(typeof created.json.token).toBe('string');
    // no plaintext password in the store; PBKDF2 parameters kept
    const stored = await store.getText('auth/users/alice.json');
    expect(stored).not.toContain(PW);
    expect(JSON.parse(stored!).password).toMatchObject({ algorithm: 'PBKDF2-SHA256', iterations: 600_000 });
    expect(atob(JSON.parse(stored!).password.salt)).toHaveLength(16);

    const login = await adduser('alice', PW);
    expect(login.status).toBe(201);
    expect(login.json.token).not.toBe(created.json.token);
    const wrong = await adduser('alice', 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toMatch(/incorrect/);

    const who = await call('GET', '/-/whoami', { token: login.json.token });
    expect(who).toMatchObject({ status: 200, json: { username: 'alice' } });
    expect((await call('GET', '/-/whoami')).status).toBe(401);
  });

  it('validates names before any key, refuses short passwords, mismatched names and bad JSON', async () => {
    const { adduser, call, store } = setup();
    expect((await adduser('../etc', PW)).status).toBe(400);
    expect((await adduser('Alice', PW)).status).toBe(400);
    expect((await adduser('bob', 'short')).status).toBe(400);
    expect((await call('PUT', '/-/user/org.couchdb.user:bob', { body: { name: 'eve', password: PW } })).status).toBe(400);
    expect((await call('PUT', '/-/user/org.couchdb.user:bob', { body: '{not json' })).json).toEqual({ error: 'request body is not valid JSON' });
    expect((await call('PUT', '/-/user/org.couchdb.user:bob', { body: 'x'.repeat(70_000) })).status).toBe(413);
    expect((await store.list({ prefix: 'auth/users/' })).keys).toEqual([]);
  });

  it('refuses to register a user under the name of a role (it would hold the role\'s rights)', async () => {
    const { adduser, store } = setup();
    const res = await adduser('admins', PW);
    expect(res.status).toBe(403);
    expect(res.json.error).toMatch(/role/);
    expect(await store.head('auth/users/admins.json')).toBeNull();
    expect((await adduser('alice', PW)).status).toBe(201);
  });

  it('with registration off, an unknown user gets 401 and no user is created', async () => {
    const { adduser, store } = setup({ config: authConfig({ allowRegistration: false }) });
    expect((await adduser('mallory', PW)).status).toBe(401);
    expect(await store.head('auth/users/mallory.json')).toBeNull();
  });

  it('answers POST /-/v1/login with a 4xx so npm falls back to the couchdb flow', async () => {
    const { call } = setup();
    const res = await call('POST', '/-/v1/login', { body: {} });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.json.error).toMatch(/couchdb/);
  });
});

describe('store failures', () => {
  it('a store that is down gives a JSON 5xx without details, never a token', async () => {
    const driver = memoryDriver();
    const down = { ...driver, name: 'down', get: async () => { throw new StoreError('UNAVAILABLE', 'connect ECONNREFUSED 10.0.0.5:9000'); } };
    const { adduser } = setup({ store: wrapStore(down) });
    const res = await adduser('alice', PW);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.json).toEqual({ error: 'storage error' });
  });

  it('logins that fail on the store do not count against the user: no 429 once it is back', async () => {
    let up = false;
    const driver = memoryDriver();
    const flaky = { ...driver, name: 'flaky', get: async (key: string) => {
      if (!up && key.startsWith('auth/users/')) throw new StoreError('UNAVAILABLE', 'connect ECONNREFUSED 10.0.0.5:9000');
      return driver.get(key);
    } };
    const { adduser } = setup({ store: wrapStore(flaky), config: authConfig({ maxLoginAttempts: 2, allowRegistration: false }) });
    for (let i = 0; i < 3; i++) expect((await adduser('zoe', PW)).status).toBeGreaterThanOrEqual(500);
    up = true;
    expect((await adduser('zoe', PW)).status).toBe(401);
  });
});

describe('tokens', () => {
  it('lists, creates (read-only, cidr, expiry) and revokes; a revoked token fails at once', async () => {
    const { adduser, call, auth, req } = setup();
    const t1 = (await adduser('alice', PW)).json.token as string;
    const created = await call('POST', '/-/npm/v1/tokens', { token: t1, body: { password: PW, readonly: true, cidr_whitelist: ['127.0.0.0/8'], expires: 7, name: 'ci' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ readonly: true, cidr_whitelist: ['127.0.0.0/8'], name: 'ci' });
    expect(Date.parse(created.json.expires) - Date.parse(created.json.created)).toBeLessThanOrEqual(7 * 86_400_000);
    const t2 = created.json.token as string;

    const list = await call('GET', '/-/npm/v1/tokens', { token: t1 });
    expect(list.status).toBe(200);
    expect(list.json.objects).toHaveLength(2);
    for (const o of list.json.objects) {
      expect(Object.keys(o)).toEqual(expect.arrayContaining(['key', 'token', 'cidr_whitelist', 'readonly', 'created', 'updated']));
      expect(o.token.length).toBeLessThan(10); // only a prefix, never the whole token
    }
    expect(list.json.urls).toEqual({});

    expect((await auth.authenticate(req(t2)))?.readOnly).toBe(true);
    const revoke = await call('DELETE', `/-/npm/v1/tokens/token/${created.json.key}`, { token: t1 });
    expect(revoke.status).toBe(204);
    expect(await codeOf(auth.authenticate(req(t2)))).toBe('UNAUTHORIZED');
    expect((await call('GET', '/-/whoami', { token: t2 })).status).toBe(401);
    expect((await call('GET', '/-/npm/v1/tokens', { token: t1 })).json.objects).toHaveLength(1);
  });

  it('revokes by whole token too (npm token revoke <token>), and npm logout deletes the token', async () => {
    const { adduser, call } = setup();
    const t1 = (await adduser('alice', PW)).json.token as string;
    const t2 = (await adduser('alice', PW)).json.token as string;
    expect((await call('DELETE', `/-/npm/v1/tokens/token/${t2}`, { token: t1 })).status).toBe(204);
    expect((await call('GET', '/-/whoami', { token: t2 })).status).toBe(401);
    expect((await call('DELETE', `/-/user/token/${encodeURIComponent(t1)}`, { token: t1 })).status).toBe(200);
    expect((await call('GET', '/-/whoami', { token: t1 })).status).toBe(401);
  });

  it('a token cannot revoke another user\'s token; creating needs the password', async () => {
    const { adduser, call } = setup();
    const a = await adduser('alice', PW);
    const b = (await adduser('bob', PW)).json.token as string;
    const aKey = (await call('GET', '/-/npm/v1/tokens', { token: a.json.token })).json.objects[0].key;
    expect((await call('DELETE', `/-/npm/v1/tokens/token/${aKey}`, { token: b })).status).toBe(404);
    expect((await call('GET', '/-/whoami', { token: a.json.token })).status).toBe(200);
    expect((await call('POST', '/-/npm/v1/tokens', { token: b, body: { password: 'wrong password' } })).status).toBe(401);
    expect((await call('POST', '/-/npm/v1/tokens', { token: b, body: {} })).status).toBe(400);
  });

  it('a cidr-bound token only works from its addresses', async () => {
    const far = setup({ address: '10.1.2.3' });
    const t = (await far.adduser('alice', PW)).json.token as string;
    const bound = await far.call('POST', '/-/npm/v1/tokens', { token: t, body: { password: PW, cidr_whitelist: ['192.168.0.0/16'] } });
    expect(bound.status).toBe(201);
    expect((await far.call('GET', '/-/whoami', { token: bound.json.token })).status).toBe(401);
    expect((await far.call('POST', '/-/npm/v1/tokens', { token: t, body: { password: PW, cidr_whitelist: ['::1/128'] } })).status).toBe(400);
  });
});

describe('hostile tokens', () => {
  it('refuses forged, alg:none, expired, malformed and non-bearer credentials with UNAUTHORIZED', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const { adduser, auth, req, store, call } = setup({ now: () => clock, config: authConfig({ secret: 'the-configured-secret-of-32-chars!!' }) });
    const good = (await adduser('alice', PW)).json.token as string;
    expect((await auth.authenticate(req(good)))?.name).toBe('alice');
    expect(await auth.authenticate(req())).toBeNull();

    const [, payload] = good.split('.');
    const claims = JSON.parse(atob(payload!.replace(/-/g, '+').replace(/_/g, '/')));
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another secret entirely, 32+ chars'));
    const none = new UnsecuredJWT(claims).encode();
    const tampered = good.replace(/\.[^.]+\./, `.${btoa(JSON.stringify({ ...claims, sub: 'bob' })).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.`);
    for (const t of [forged, none, tampered, 'garbage', `${good}x`]) {
      expect(await codeOf(auth.authenticate(req(t)))).toBe('UNAUTHORIZED');
    }
    expect(await codeOf(auth.authenticate(new Request('http://x/', { headers: { authorization: 'Basic YWxpY2U6cHc=' } })))).toBe('UNAUTHORIZED');

    const short = (await call('POST', '/-/npm/v1/tokens', { token: good, body: { password: PW, expires: 1 } })).json;
    clock += 2 * 86_400_000;
    // the one-day token expired: refused, and dropped from the list (its record deleted)
    expect(await codeOf(auth.authenticate(req(short.token)))).toBe('UNAUTHORIZED');
    const listed = (await call('GET', '/-/npm/v1/tokens', { token: good })).json.objects.map((o: { key: string }) => o.key);
    expect(listed).not.toContain(short.key);
    expect(listed).toHaveLength(1);
    expect(await store.head(`auth/tokens/alice/${short.key}.json`)).toBeNull();
    clock += 29 * 86_400_000;
    const expired = auth.authenticate(req(good));
    await expect(expired).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/expired/) });
    // the configured secret is used: nothing generated in the store
    expect(await store.head('auth/secret.json')).toBeNull();
  });

  it('two replicas starting at once over one store agree on one generated secret', async () => {
    const a = setup();
    const b = setup({ store: a.store });
    const [ta, tb] = await Promise.all([a.adduser('ann', PW), b.adduser('ben', PW)]);
    expect((await b.auth.authenticate(b.req(ta.json.token)))?.name).toBe('ann');
    expect((await a.auth.authenticate(a.req(tb.json.token)))?.name).toBe('ben');
  });

  it('a broken stored secret is a 500 whose answer names no storage key', async () => {
    const { adduser, store } = setup();
    await store.putJson('auth/secret.json', { secret: 'short' });
    const res = await adduser('alice', PW);
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ error: 'internal error' });
  });

  it('generates one secret, kept in the store, shared by a second instance (replica)', async () => {
    const first = setup();
    const token = (await first.adduser('alice', PW)).json.token as string;
    const kept = await first.store.getJson<{ secret: string }>('auth/secret.json');
    expect(kept?.secret.length).toBeGreaterThanOrEqual(32);
    const replica = setup({ store: first.store });
    expect((await replica.auth.authenticate(replica.req(token)))?.name).toBe('alice');
    // revoked through the replica: refused by the first at once
    const key = (await replica.call('GET', '/-/npm/v1/tokens', { token })).json.objects[0].key;
    expect((await replica.call('DELETE', `/-/npm/v1/tokens/token/${key}`, { token })).status).toBe(204);
    expect(await codeOf(first.auth.authenticate(first.req(token)))).toBe('UNAUTHORIZED');
  });
});

describe('read-only tokens and rate limits', () => {
  it('a read-only token may access but not publish or unpublish, nor mint a write token', async () => {
    const { adduser, call, auth, req } = setup();
    const t = (await adduser('alice', PW)).json.token as string;
    const ro = (await call('POST', '/-/npm/v1/tokens', { token: t, body: { password: PW, packages_and_scopes_permission: 'read-only' } })).json.token;
    const p = await auth.authenticate(req(ro));
    expect(p).toMatchObject({ name: 'alice', readOnly: true, roles: ['admins'] });
    expect(auth.can(p, 'access', '@acme/ui')).toBe(true);
    expect(auth.can(p, 'publish', '@acme/ui')).toBe(false);
    expect(auth.can(p, 'unpublish', 'left-pad')).toBe(false);
    expect((await call('POST', '/-/npm/v1/tokens', { token: ro, body: { password: PW } })).status).toBe(403);
  });

  it('limits failed logins per user (429) and per address, and a right password then still waits', async () => {
    let clock = Date.now();
    const { adduser } = setup({ now: () => clock, config: authConfig({ maxLoginAttempts: 3 }) });
    await adduser('alice', PW);
    for (let i = 0; i < 3; i++) expect((await adduser('alice', 'wrong password!')).status).toBe(401);
    const limited = await adduser('alice', PW);
    expect(limited.status).toBe(429);
    expect(limited.json.error).toMatch(/too many/);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    clock += 15 * 60_000 + 1;
    expect((await adduser('alice', PW)).status).toBe(201);
  });

  it('counts concurrent guesses before hashing: only the limit gets a password check', async () => {
    const { adduser } = setup({ config: authConfig({ maxLoginAttempts: 3 }) });
    await adduser('alice', PW);
    const statuses = (await Promise.all(Array.from({ length: 12 }, (_, i) => adduser('alice', `wrong password ${i}`)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
    // right passwords from one address never count against it
    const other = setup({ config: authConfig({ maxLoginAttempts: 2 }) });
    await other.adduser('bob', PW);
    for (let i = 0; i < 4; i++) expect((await other.adduser('bob', PW)).status).toBe(201);
  });

  it('counts per user and address: a stranger elsewhere never locks the owner out; one address is capped over all names', async () => {
    const trusted = setup({ config: authConfig({ maxLoginAttempts: 2, trustProxy: true }) });
    await trusted.adduser('carol', PW);
    await trusted.adduser('erin', PW);
    for (let i = 0; i < 4; i++) await trusted.adduser(`user${i}`, PW);
    const login = (name: string, password: string, ip: string) =>
      trusted.call('PUT', `/-/user/org.couchdb.user:${name}`, { body: { name, password }, headers: { 'x-forwarded-for': ip } });
    expect((await login('carol', 'wrong password!', '203.0.113.9')).status).toBe(401);
    expect((await login('carol', 'wrong password!', '203.0.113.9')).status).toBe(401);
    // carol from the guessing address waits; carol from her own address logs in
    expect((await login('carol', PW, '203.0.113.9')).status).toBe(429);
    expect((await login('carol', PW, '198.51.100.1')).status).toBe(201);
    // one address spraying many names: capped at five times the per-user limit over all of them
    for (let i = 0; i < 8; i++) expect((await login(`user${i % 4}`, 'wrong password!', '203.0.113.9')).status).toBe(401);
    expect((await login('erin', PW, '203.0.113.9')).status).toBe(429);
    expect((await login('erin', PW, '198.51.100.1')).status).toBe(201);
    // and it cannot sign up either
    expect((await login('newcomer', PW, '203.0.113.9')).status).toBe(429);
    expect(await trusted.store.head('auth/users/newcomer.json')).toBeNull();

    // untrusted: the header is ignored, the runtime address counts
    const plain = setup({ config: authConfig({ maxLoginAttempts: 2 }), address: '10.0.0.1' });
    await plain.adduser('carol', PW);
    for (const ip of ['1.1.1.1', '2.2.2.2']) {
      await plain.call('PUT', '/-/user/org.couchdb.user:carol', { body: { name: 'carol', password: 'wrong password!' }, headers: { 'x-forwarded-for': ip } });
    }
    expect((await plain.adduser('carol', PW)).status).toBe(429);
  });
});
