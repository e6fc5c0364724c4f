import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { addUser, deleteUser } from '../src/auth/user-admin.ts';
import { authConfig, setup } from './auth-fixture.ts';

const PW = 'correct horse battery';
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const signup = (s: ReturnType<typeof setup>, name: string, headers: Record<string, string> = {}) =>
  s.call('PUT', `/-/user/org.couchdb.user:${name}`, { body: { name, password: PW, email: `${name}@example.com` }, headers });

describe('tokens bound to the account', () => {
  it('deleting a user revokes every token and closes the name to open sign-up; re-created by an administrator, it never gets the old tokens', async () => {
    const s = setup();
    const first = (await s.adduser('dora', PW)).json.token as string;
    const second = (await s.call('POST', '/-/npm/v1/tokens', { token: first, body: { password: PW } })).json.token as string;
    expect((await s.call('GET', '/-/whoami', { token: first })).json).toEqual({ username: 'dora' });

    expect(await deleteUser(s.store, 'dora')).toEqual({ name: 'dora', tokensRevoked: 2 });
    for (const t of [first, second]) expect((await s.call('GET', '/-/whoami', { token: t })).status).toBe(401);
    expect((await s.store.list({ prefix: 'auth/tokens/dora/' })).keys).toEqual([]);

    // a stranger signing up with the name would inherit the packages that name dora as a maintainer
    const stranger = await s.adduser('dora', 'another password');
    expect(stranger.status).toBe(403);
    expect(stranger.json.error).toMatch(/deleted by an administrator.*fw registry user add dora/);
    expect(await s.store.head('auth/users/dora.json')).toBeNull();
    await addUser(s.store, 'dora', 'another password', { iterations: 1000 });
    expect(await s.store.head('auth/deleted-users/dora.json')).toBeNull();
    const again = await s.adduser('dora', 'another password');
    expect(again.status).toBe(201);
    for (const t of [first, second]) expect((await s.call('GET', '/-/whoami', { token: t })).status).toBe(401);
    expect((await s.call('GET', '/-/whoami', { token: again.json.token })).json).toEqual({ username: 'dora' });
  });

  it('a token whose user record was replaced (not deleted through the command) still fails, and is not listed', async () => {
    const s = setup();
    const old = (await s.adduser('dora', PW)).json.token as string;
    // the record removed behind the server's back, token records left in place
    await s.store.delete('auth/users/dora.json');
    expect((await s.call('GET', '/-/whoami', { token: old })).status).toBe(401);
    const fresh = (await s.adduser('dora', PW)).json.token as string;
    expect((await s.call('GET', '/-/whoami', { token: old })).status).toBe(401);
    const listed = (await s.call('GET', '/-/npm/v1/tokens', { token: fresh })).json.objects;
    expect(listed).toHaveLength(1);
  });

  it('enforces the stored expiry, and refuses tokens that carry no user id', async () => {
    const s = setup({ config: authConfig({ secret: 'the-configured-secret-of-32-chars!!' }) });
    const token = (await s.adduser('dora', PW)).json.token as string;
    const [key] = (await s.store.list({ prefix: 'auth/tokens/dora/' })).keys;
    const record = await s.store.getJson<Record<string, unknown>>(key!);
    expect(record?.userId).toEqual(expect.any(String));
    await s.store.putJson(key!, { ...record, expires: new Date(Date.now() - 1000).toISOString() });
    const res = await s.call('GET', '/-/whoami', { token });
    expect(res.status).toBe(401);
    expect(res.json.error).toMatch(/expired/);

    // a well-signed token of the right shape but without the uid claim (as issued before ids)
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    delete claims.uid;
    await s.store.putJson(key!, record);
    const legacy = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('the-configured-secret-of-32-chars!!'));
    expect((await s.call('GET', '/-/whoami', { token: legacy })).status).toBe(401);
    expect((await s.call('GET', '/-/whoami', { token })).status).toBe(200);
  });
});

describe('open sign-up', () => {
  it('refuses reserved names, role names, and names the config lists or grants; an administrator creates those', async () => {
    const config = authConfig();
    config.packages.unshift({ pattern: '@ops/*', access: ['$authenticated'], publish: ['deployer'], unpublish: ['deployer'] });
    const s = setup({ config });
    for (const name of ['admin', 'administrator', 'root', 'npm', 'registry', 'admins', 'alice', 'deployer']) {
      const res = await signup(s, name);
      expect(res.status, name).toBe(403);
      expect(typeof res.json.error).toBe('string');
      expect(await s.store.head(`auth/users/${name}.json`), name).toBeNull();
    }
    expect((await signup(s, 'alice')).json.error).toMatch(/fw registry user add alice/);

    // created by the administrator: alice logs in and holds her role
    await addUser(s.store, 'alice', PW);
    const login = await signup(s, 'alice');
    expect(login.status).toBe(201);
    const who = await s.auth.authenticate(s.req(login.json.token));
    expect(who).toMatchObject({ name: 'alice', roles: ['admins'] });
    await expect(addUser(s.store, 'alice', PW)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(addUser(s.store, '../x', PW)).rejects.toMatchObject({ code: 'INVALID_NAME' });
  });

  it('limits sign-ups per address per hour; another address is not affected', async () => {
    let clock = Date.now();
    const s = setup({ now: () => clock, config: authConfig({ maxSignupsPerAddress: 3, trustProxy: true }) });
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    for (let i = 0; i < 3; i++) expect((await signup(s, `bot${i}`, from('203.0.113.7'))).status).toBe(201);
    const limited = await signup(s, 'bot3', from('203.0.113.7'));
    expect(limited.status).toBe(429);
    expect(limited.json.error).toMatch(/sign-ups/);
    expect(await s.store.head('auth/users/bot3.json')).toBeNull();
    // logging in to an existing account is no sign-up
    expect((await signup(s, 'bot0', from('203.0.113.7'))).status).toBe(201);
    expect((await signup(s, 'human', from('198.51.100.2'))).status).toBe(201);
    clock += 60 * 60_000 + 1;
    expect((await signup(s, 'bot3', from('203.0.113.7'))).status).toBe(201);
  });
});

describe('Basic authorization (npm _auth)', () => {
  it('accepts user:password for every authenticated route; a wrong password counts as a failed login', async () => {
    const s = setup({ config: authConfig({ maxLoginAttempts: 2 }) });
    await s.adduser('dora', PW);
    expect((await s.call('GET', '/-/whoami', { headers: basic('dora', PW) })).json).toEqual({ username: 'dora' });
    expect((await s.call('GET', '/-/whoami', { headers: basic('dora', PW) })).json).toEqual({ username: 'dora' });
    const p = await s.auth.authenticate(new Request('http://x/', { headers: basic('dora', PW) }));
    expect(p).toMatchObject({ name: 'dora', readOnly: false, userId: expect.any(String) });
    // tokens can be listed and created with it, as npm token does under _auth
    expect((await s.call('GET', '/-/npm/v1/tokens', { headers: basic('dora', PW) })).status).toBe(200);

    for (const bad of ['not base64!', Buffer.from('no-colon').toString('base64'), Buffer.from('../x:pw').toString('base64')]) {
      expect((await s.call('GET', '/-/whoami', { headers: { authorization: `Basic ${bad}` } })).status).toBe(401);
    }
    expect((await s.call('GET', '/-/whoami', { headers: basic('dora', 'wrong password') })).status).toBe(401);
    expect((await s.call('GET', '/-/whoami', { headers: basic('dora', 'wrong password') })).status).toBe(401);
    expect((await s.call('GET', '/-/whoami', { headers: basic('dora', 'wrong password') })).status).toBe(429);
  });

  it('remembered credentials stop working at once when the user is deleted or the password changes', async () => {
    const s = setup();
    await s.adduser('dora', PW);
    expect((await s.call('GET', '/-/whoami', { headers: basic('dora', PW) })).status).toBe(200);
    const record = await s.store.getJson<Record<string, unknown>>('auth/users/dora.json');
    await addUser(s.store, 'zed', 'zeds password', { iterations: 1000 });
    const other = await s.store.getJson<Record<string, unknown>>('auth/users/zed.json');
    await s.store.putJson('auth/users/dora.json', { ...record, password: other!.password });
    expect((await s.call('GET', '/-/whoami', { headers: basic('dora', PW) })).status).toBe(401);
    await s.store.putJson('auth/users/dora.json', record);
    expect((await s.call('GET', '/-/whoami', { headers: basic('dora', PW) })).status).toBe(200);
    await deleteUser(s.store, 'dora');
    expect((await s.call('GET', '/-/whoami', { headers: basic('dora', PW) })).status).toBe(401);
  });
});
