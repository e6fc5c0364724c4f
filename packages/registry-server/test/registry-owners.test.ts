// Owners, profile, stars and access lists, in-process with the real auth module over a memory store.
import { describe, expect, it } from 'vitest';
import { keys } from '@factorywager/r2-store';
import { createAuth } from '../src/auth/auth.ts';
import { addUser } from '../src/auth/user-admin.ts';
import { readHistory } from '../src/packages/history.ts';
import type { PackageRule } from '../src/config/types.ts';
import { createRegistryHandler } from '../src/index.ts';
import { readTarball } from '../src/node.ts';
import { esc, memoryStore, publishBody, snapshot } from './_helpers.ts';

const BASE = 'http://registry.test';
const PASSWORD = 'correct horse battery';

const defaultRules: PackageRule[] = [
  { pattern: '@corp/*', access: ['$authenticated'], publish: ['$authenticated', 'releasers'], unpublish: ['releasers'] },
  { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] },
];

function world(rules = defaultRules) {
  const store = memoryStore();
  const auth = createAuth({
    store,
    config: {
      auth: { mode: 'jwt', tokenTtl: '30d', allowRegistration: true, maxLoginAttempts: 50, maxSignupsPerAddress: 1000, trustProxy: false },
      users: { rel: { roles: ['releasers'] } },
      packages: rules,
    },
    passwordIterations: 1000,
    clientAddress: () => '127.0.0.1',
  });
  const handler = createRegistryHandler({ store, auth, readTarball, config: { publicUrl: BASE, packages: rules, uplinks: {}, limits: { maxBodySize: 1024 * 1024 } } });
  const call = async (method: string, path: string, { token, body }: { token?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await handler(new Request(`${BASE}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }));
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
  };
  const login = async (name: string, password = PASSWORD) => {
    const r = await call('PUT', `/-/user/org.couchdb.user:${name}`, { body: { name, password, email: `${name}@example.com` } });
    if (r.status !== 201) throw new Error(`login ${name}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json.token as string;
  };
  // Waits for what is written after the answer (graph.json, the journal entry's removal), so snapshots compare settled stores.
  const publish = async (token: string, name: string, version: string) => {
    const res = await call('PUT', `/${esc(name)}`, { token, body: await publishBody(name, version) });
    await handler.idle();
    return res;
  };
  const doc = async (name: string, token?: string) => (await call('GET', `/${esc(name)}?write=true`, { token })).json;
  const owners = async (token: string, name: string, names: string[], rev?: string) =>
    call('PUT', `/${esc(name)}/-rev/${rev ?? (await doc(name, token))._rev}`, { token, body: { _id: name, _rev: rev, maintainers: names.map((n) => ({ name: n })) } });
  return { store, call, login, publish, doc, owners };
}

describe('maintainers', () => {
  it('the first publisher is the maintainer, with name and e-mail; users are looked up without their hash', async () => {
    const w = world();
    const ana = await w.login('ana');
    await w.login('bob');
    expect((await w.publish(ana, 'pkg', '1.0.0')).status).toBe(201);
    const full = (await w.call('GET', '/pkg')).json;
    expect(full.maintainers).toEqual([{ name: 'ana', email: 'ana@example.com' }]);
    expect(full.versions['1.0.0']._npmUser).toEqual({ name: 'ana', email: 'ana@example.com' });

    const bob = await w.call('GET', '/-/user/org.couchdb.user:bob', { token: ana });
    expect(bob.status).toBe(200);
    expect(bob.json).toMatchObject({ name: 'bob', email: 'bob@example.com' });
    expect(JSON.stringify(bob.json)).not.toMatch(/password|salt|hash|PBKDF2/i);
    expect((await w.call('GET', '/-/user/org.couchdb.user:nobody', { token: ana })).status).toBe(404);
    expect((await w.call('GET', '/-/user/org.couchdb.user:bob')).status).toBe(401);
  });

  it('refuses a non-maintainer publish, dist-tag, deprecate and unpublish with a 403 JSON error, changing nothing', async () => {
    const w = world();
    const ana = await w.login('ana');
    const bob = await w.login('bob');
    await w.publish(ana, 'pkg', '1.0.0');
    const before = await snapshot(w.store);
    const refused = [
      await w.publish(bob, 'pkg', '1.0.1'),
      await w.call('PUT', '/-/package/pkg/dist-tags/next', { token: bob, body: '1.0.0' }),
      await (async () => {
        const d = await w.doc('pkg');
        d.versions['1.0.0'].deprecated = 'taken over';
        return w.call('PUT', '/pkg', { token: bob, body: d });
      })(),
      await (async () => {
        const d = await w.doc('pkg');
        return w.call('DELETE', `/pkg/-rev/${d._rev}`, { token: bob });
      })(),
      await w.owners(bob, 'pkg', ['ana', 'bob']),
    ];
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(r.json.error).toBe('bob is not a maintainer of pkg: only ana may ' + (r === refused[3] ? 'unpublish' : 'publish') + ' it (they can add you with npm owner add bob pkg)');
    }
    expect(await snapshot(w.store)).toEqual(before);
    // a brand-new name is anyone's to create
    expect((await w.publish(bob, 'bobs-own', '1.0.0')).status).toBe(201);
  });

  it('owner add lets the new maintainer publish; the last maintainer cannot be removed; stale revisions and unknown users are refused', async () => {
    const w = world();
    const ana = await w.login('ana');
    const bob = await w.login('bob');
    await w.publish(ana, '@corp/ui', '1.0.0');
    expect((await w.owners(ana, '@corp/ui', ['ana', 'ghost'])).status).toBe(404);
    expect((await w.owners(ana, '@corp/ui', ['ana', 'bob'], '1-stale')).status).toBe(409);
    const added = await w.owners(ana, '@corp/ui', ['ana', 'bob']);
    expect(added.status).toBe(200);
    expect((await w.call('GET', '/@corp%2fui', { token: bob })).json.maintainers).toEqual([
      { name: 'ana', email: 'ana@example.com' }, { name: 'bob', email: 'bob@example.com' },
    ]);
    expect((await w.publish(bob, '@corp/ui', '1.1.0')).status).toBe(201);
    expect((await w.owners(bob, '@corp/ui', ['bob'])).status).toBe(200);
    const last = await w.owners(bob, '@corp/ui', []);
    expect(last.status).toBe(400);
    expect(last.json.error).toBe('@corp/ui must keep at least one maintainer: add another before removing the last');
    expect((await w.publish(ana, '@corp/ui', '1.2.0')).status).toBe(403);
    const events = (await readHistory(w.store, '@corp/ui'))!.events;
    expect(events.filter((e) => e.type === 'owner')).toMatchObject([{ actor: 'ana', after: ['ana', 'bob'] }, { actor: 'bob', after: ['bob'] }]);
  });

  it('a role a rule names may publish and unpublish without being a maintainer', async () => {
    const w = world();
    const ana = await w.login('ana');
    // a user the config names is created by an administrator, then logs in
    await addUser(w.store, 'rel', PASSWORD, { email: 'rel@example.com', iterations: 1000 });
    const rel = await w.login('rel');
    await w.publish(ana, '@corp/app', '1.0.0');
    expect((await w.publish(rel, '@corp/app', '1.0.1')).status).toBe(201);
    const collab = await w.call('GET', '/-/package/@corp%2fapp/collaborators', { token: ana });
    expect(collab.json).toEqual({ ana: 'read-write', rel: 'read-write' });
    const d = await w.doc('@corp/app', ana);
    expect((await w.call('DELETE', `/@corp%2fapp/-rev/${d._rev}`, { token: rel })).status).toBe(200);
  });

  it('maintainers survive a whole-package unpublish: only they may publish the name again', async () => {
    const w = world();
    const ana = await w.login('ana');
    const bob = await w.login('bob');
    await w.publish(ana, 'phoenix', '1.0.0');
    await w.owners(ana, 'phoenix', ['ana', 'bob']);
    await w.owners(bob, 'phoenix', ['bob']);
    const d = await w.doc('phoenix');
    expect((await w.call('DELETE', `/phoenix/-rev/${d._rev}`, { token: bob })).status).toBe(200);
    expect((await w.call('GET', '/phoenix')).status).toBe(404);
    const stored = await w.store.getJson<{ maintainers: unknown }>(keys.manifest('phoenix'));
    expect(stored!.maintainers).toEqual([{ name: 'bob', email: 'bob@example.com' }]);
    const taken = await w.publish(ana, 'phoenix', '2.0.0');
    expect(taken.status).toBe(403);
    expect(taken.json.error).toContain('ana is not a maintainer of phoenix');
    expect((await w.publish(bob, 'phoenix', '2.0.0')).status).toBe(201);
    expect((await w.call('GET', '/phoenix')).json.maintainers).toEqual([{ name: 'bob', email: 'bob@example.com' }]);
  });

  it('migrates packuments stored without maintainers: the first version\'s publisher, else the first publish in history', async () => {
    const w = world();
    const ana = await w.login('ana');
    const bob = await w.login('bob');
    await w.publish(ana, 'legacy', '1.0.0');
    await w.publish(ana, 'legacy', '1.1.0');
    // as stored by an older version: no maintainers, _npmUser without e-mail
    await w.store.updateJson<Record<string, any>>(keys.manifest('legacy'), (cur) => {
      const next = structuredClone(cur!);
      delete next.maintainers;
      for (const v of Object.values<any>(next.versions)) v._npmUser = { name: 'ana' };
      return next;
    });
    expect((await w.call('GET', '/legacy')).json.maintainers).toEqual([{ name: 'ana' }]);
    expect((await w.publish(bob, 'legacy', '1.2.0')).status).toBe(403);
    expect((await w.publish(ana, 'legacy', '1.2.0')).status).toBe(201);
    expect((await w.call('GET', '/legacy')).json.maintainers).toEqual([{ name: 'ana' }]);
    // owner add fills in e-mails from the user records
    expect((await w.owners(ana, 'legacy', ['ana', 'bob'])).status).toBe(200);
    expect((await w.call('GET', '/legacy')).json.maintainers).toEqual([{ name: 'ana', email: 'ana@example.com' }, { name: 'bob', email: 'bob@example.com' }]);

    // a package fully unpublished by an older version kept neither versions nor maintainers
    await w.publish(ana, 'tomb', '1.0.0');
    const d = await w.doc('tomb');
    await w.call('DELETE', `/tomb/-rev/${d._rev}`, { token: ana });
    await w.store.updateJson<Record<string, any>>(keys.manifest('tomb'), (cur) => {
      const next = structuredClone(cur!);
      delete next.maintainers;
      return next;
    });
    expect((await w.publish(bob, 'tomb', '2.0.0')).status).toBe(403);
    expect((await w.publish(ana, 'tomb', '2.0.0')).status).toBe(201);
  });
});

describe('profile', () => {
  it('profile get shows the user without secrets; set changes fields; a password change needs the old one and revokes other tokens', async () => {
    const w = world();
    const laptop = await w.login('ana');
    const ci = await w.login('ana');
    const profile = await w.call('GET', '/-/npm/v1/user', { token: laptop });
    expect(profile.status).toBe(200);
    expect(profile.json).toMatchObject({ name: 'ana', email: 'ana@example.com', email_verified: false, tfa: null });
    expect(JSON.stringify(profile.json)).not.toMatch(/salt|hash|PBKDF2/i);
    expect((await w.call('GET', '/-/npm/v1/user')).status).toBe(401);

    const set = await w.call('POST', '/-/npm/v1/user', { token: laptop, body: { email: 'ana@corp.example', fullname: 'Ana\u001b[31m Lovelace', homepage: null } });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ email: 'ana@corp.example', fullname: 'Ana[31m Lovelace' });
    expect((await w.call('POST', '/-/npm/v1/user', { token: laptop, body: { email: 'not an address' } })).status).toBe(400);

    const noOld = await w.call('POST', '/-/npm/v1/user', { token: laptop, body: { password: { new: 'a brand new password' } } });
    expect(noOld.status).toBe(400);
    expect(noOld.json.error).toContain('the current password is required');
    const wrongOld = await w.call('POST', '/-/npm/v1/user', { token: laptop, body: { password: { old: 'guess guess', new: 'a brand new password' } } });
    expect(wrongOld.status).toBe(403);
    expect(wrongOld.json).toEqual({ error: 'the current password is incorrect' });
    expect((await w.call('GET', '/-/whoami', { token: ci })).status).toBe(200);

    const changed = await w.call('POST', '/-/npm/v1/user', { token: laptop, body: { email: 'ana@corp.example', password: { old: PASSWORD, new: 'a brand new password' } } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('x-fw-revoked-tokens')).toBe('1');
    expect(JSON.stringify(changed.json)).not.toContain('brand new');
    expect((await w.call('GET', '/-/whoami', { token: laptop })).json).toEqual({ username: 'ana' });
    const revoked = await w.call('GET', '/-/whoami', { token: ci });
    expect(revoked.status).toBe(401);
    expect(revoked.json.error).toContain('revoked');
    expect((await w.call('PUT', '/-/user/org.couchdb.user:ana', { body: { name: 'ana', password: PASSWORD } })).status).toBe(401);
    expect((await w.login('ana', 'a brand new password')).length).toBeGreaterThan(20);
  });

  it('a read-only token cannot change the profile', async () => {
    const w = world();
    const ana = await w.login('ana');
    const ro = await w.call('POST', '/-/npm/v1/tokens', { token: ana, body: { password: PASSWORD, readonly: true } });
    const r = await w.call('POST', '/-/npm/v1/user', { token: ro.json.token, body: { password: { old: PASSWORD, new: 'another password' } } });
    expect(r.status).toBe(403);
    expect(r.json.error).toBe('a read-only token cannot change the profile');
  });
});

describe('stars and access lists', () => {
  it('anyone who may read stars and unstars for themselves only; stars lists them; a star is not a release', async () => {
    const w = world();
    const ana = await w.login('ana');
    const bob = await w.login('bob');
    await w.publish(ana, 'pkg', '1.0.0');
    const before = await w.doc('pkg');
    const star = await w.call('PUT', '/pkg', { token: bob, body: { _id: 'pkg', _rev: before._rev, users: { bob: true, ana: true, mallory: true } } });
    expect(star.status).toBe(200);
    const after = await w.doc('pkg');
    expect(after.users).toEqual({ bob: true });
    expect(after.time.modified).toBe(before.time.modified);
    expect((await w.call('GET', '/-/_view/starredByUser?key=%22bob%22')).json).toEqual({ rows: [{ key: 'bob', value: 'pkg' }] });
    expect((await w.call('GET', '/-/_view/starredByUser?key=bob')).status).toBe(400);
    await w.call('PUT', '/pkg', { token: bob, body: { _id: 'pkg', _rev: after._rev, users: {} } });
    expect((await w.doc('pkg')).users).toEqual({});
    expect((await w.call('PUT', '/pkg', { body: { _id: 'pkg', users: { x: true } } })).status).toBe(401);
    expect((await w.call('PUT', '/nothing-here', { token: bob, body: { _id: 'nothing-here', users: { bob: true } } })).status).toBe(404);
  });

  it('lists a user\'s packages, a scope\'s packages with the caller\'s rights, and a package\'s collaborators', async () => {
    const w = world();
    const ana = await w.login('ana');
    const bob = await w.login('bob');
    await w.publish(ana, '@corp/a', '1.0.0');
    await w.publish(bob, '@corp/b', '1.0.0');
    await w.publish(ana, 'plain', '1.0.0');
    expect((await w.call('GET', '/-/user/ana/package', { token: bob })).json).toEqual({ '@corp/a': 'read-write', plain: 'read-write' });
    expect((await w.call('GET', '/-/user/ghost/package', { token: bob })).status).toBe(404);
    expect((await w.call('GET', '/-/org/corp/package', { token: ana })).json).toEqual({ '@corp/a': 'read-write', '@corp/b': 'read-only' });
    // @corp/* is for logged-in users only: an anonymous caller sees nothing of it
    expect((await w.call('GET', '/-/org/corp/package')).status).toBe(404);
    expect((await w.call('GET', '/-/user/ana/package')).json).toEqual({ plain: 'read-write' });
    expect((await w.call('GET', '/-/package/plain/collaborators', { token: bob })).json).toEqual({ ana: 'read-write' });
    expect((await w.call('GET', '/-/package/none/collaborators', { token: bob })).status).toBe(404);
  });

  it('maintainersOnly: false lets a group grant publish every package, as before', async () => {
    const w = world([{ pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'], maintainersOnly: false }]);
    const ana = await w.login('ana');
    const bob = await w.login('bob');
    await w.publish(ana, 'shared', '1.0.0');
    expect((await w.publish(bob, 'shared', '1.0.1')).status).toBe(201);
  });
});
