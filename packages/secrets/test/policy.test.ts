import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '@factorywager/r2-store';
import { RegistrySecretsManager, checkAccess, rotationStatus, validateSecretKey, type SecretsPolicy } from '@factorywager/secrets';

const policy: SecretsPolicy = {
  roles: {
    admin: [{ actions: ['read', 'write', 'rotate', 'delete'], keys: ['**'] }],
    ci: [{ actions: ['read'], keys: ['registry:*', 'ci/*'], environments: ['ci'] }],
    ops: [{ actions: ['read', 'rotate'], keys: ['db/*'] }],
    dev: [{ actions: ['read', 'write', 'rotate'], keys: ['app/*'], environments: ['staging'] }],
  },
  users: { root: { roles: ['admin'] }, runner: { roles: ['ci'] }, olga: { roles: ['ops'] }, dana: { roles: ['dev'] } },
  rotation: [{ pattern: 'db/**', maxAgeDays: 30 }],
};

describe('checkAccess', () => {
  it.each([
    [undefined, 'anyone', 'delete', 'x', undefined, undefined, true],
    [{}, 'anyone', 'write', 'x', undefined, undefined, true],
    [policy, 'root', 'delete', 'a/b/c', undefined, undefined, true],
    [policy, 'runner', 'read', 'registry:127.0.0.1:4873', 'ci', undefined, true],
    [policy, 'runner', 'read', 'registry:127.0.0.1:4873', 'dev', undefined, false],
    [policy, 'runner', 'read', 'registry:127.0.0.1:4873', undefined, undefined, false],
    [policy, 'runner', 'write', 'ci/token', 'ci', undefined, false],
    [policy, 'runner', 'read', 'ci/deep/token', 'ci', undefined, false],
    [policy, 'olga', 'rotate', 'db/password', undefined, undefined, true],
    [policy, 'olga', 'delete', 'db/password', undefined, undefined, false],
    [policy, 'stranger', 'read', 'db/password', undefined, undefined, false],
    [undefined, 'anyone', 'read', 'prod/key', 'dev', 'production', false],
    [undefined, 'anyone', 'read', 'prod/key', 'production', 'production', true],
    [undefined, 'anyone', 'rotate', 'prod/key', undefined, 'production', true],
  ] as const)('%#: %s %s %s %s', (pol, actor, action, key, currentEnv, secretEnv, allowed) => {
    const d = checkAccess(pol as SecretsPolicy | undefined, { actor, action, key, ...(currentEnv ? { currentEnv } : {}), ...(secretEnv ? { secretEnv } : {}) });
    expect(d.allowed).toBe(allowed);
  });

  it('a denial names the actor, roles, action and the rule section', () => {
    const d = checkAccess(policy, { actor: 'olga', action: 'delete', key: 'db/password' });
    expect(d).toEqual({ allowed: false, reason: expect.stringMatching(/"olga".*"ops".*secrets:delete on "db\/password".*secrets\.roles/) });
  });
});

describe('rotationStatus', () => {
  const now = new Date('2026-06-30T00:00:00Z');
  it.each([
    ['db/password', '2026-06-20T00:00:00Z', undefined, 'OK'],
    ['db/password', '2026-06-02T00:00:00Z', undefined, 'DUE'],
    ['db/password', '2026-05-01T00:00:00Z', undefined, 'OVERDUE'],
    ['other', '2020-01-01T00:00:00Z', undefined, 'NONE'],
    ['other', '2026-06-25T00:00:00Z', 3, 'OVERDUE'],
  ] as const)('%s changed %s (own %s days) -> %s', (key, at, own, status) => {
    expect(rotationStatus(policy, key, new Date(at), own, now).status).toBe(status);
  });
});

describe('validateSecretKey', () => {
  it.each(['test', 'registry:127.0.0.1:4873', 'db/password', 'a.b_c-d@e', 'A'.repeat(201)])('accepts %s', (k) => {
    expect(validateSecretKey(k)).toBe(k);
  });
  it.each(['', '.hidden', '../x', 'a/../b', 'a//b', 'a/./b', '/abs', 'a b', 'x/versions', 'x/1.json', 'A'.repeat(202), 'a\\b', 'é'])('rejects %j', (k) => {
    expect(() => validateSecretKey(k)).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
  });
});

describe('policy enforcement in the manager (vault, fs store)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const make = (actor: string, fwEnv?: string) => {
    const dir = dirs[0] ?? (dirs.push(mkdtempSync(join(tmpdir(), 'fw-pol-'))), dirs[0]!);
    return new RegistrySecretsManager({
      store: createStore({ driver: 'fs', root: join(dir, 'store') }), dataDir: dir, useBunSecrets: false, policy, actor,
      cacheTtl: 0, env: fwEnv ? { FW_ENV: fwEnv } : {},
    });
  };

  it('denies with FORBIDDEN naming the role, records the denial, and changes nothing', async () => {
    await make('root').setSecret('db/password', 'pw-1');
    const olga = make('olga');
    await expect(olga.deleteSecret('db/password')).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('"ops"') });
    await expect(olga.setSecret('db/password', 'pw-x')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await olga.rotateSecret('db/password', 'pw-2');
    expect(await olga.getSecret('db/password')).toBe('pw-2');
    await expect(make('stranger').getSecret('db/password')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const audit = await olga.getAuditLog({ key: 'db/password' });
    expect(audit.map((e) => `${e.actor}:${e.action}:${e.outcome}`)).toEqual([
      'root:create:ok', 'olga:delete:denied', 'olga:update:denied', 'olga:rotate:ok', 'olga:read:ok', 'stranger:read:denied',
    ]);
    expect(audit[1]!.reason).toMatch(/secrets:delete/);
    expect(audit[3]!.role).toBe('ops');
    expect((await olga.getSecretVersions('db/password')).map((v) => v.version)).toEqual([2, 1]);
  });

  it('the history of a key needs read access to it, like the listing; a denial is audited', async () => {
    await make('root').setSecret('db/password', 'pw-1');
    await expect(make('stranger').getSecretVersions('db/password')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(make('runner', 'ci').getSecretVersions('db/password')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await make('olga').getSecretVersions('db/password')).map((v) => v.version)).toEqual([1]);
    const audit = await make('root').getAuditLog({ key: 'db/password' });
    expect(audit.filter((e) => e.outcome === 'denied').map((e) => `${e.actor}:${e.action}`)).toEqual(['stranger:read', 'runner:read']);
  });

  it('an environment-tagged secret is readable only when FW_ENV matches', async () => {
    await make('root').setSecret('ci/token', 'ci-secret', { env: 'ci' });
    await expect(make('root', 'dev').getSecret('ci/token')).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('environment "ci"') });
    await expect(make('root').getSecret('ci/token')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await make('root', 'ci').getSecret('ci/token')).toBe('ci-secret');
    expect(await make('runner', 'ci').getSecret('ci/token')).toBe('ci-secret');
  });

  it('a write that names another environment cannot take over a secret of an environment the actor has no grant in', async () => {
    await make('root').setSecret('app/db', 'prod-pw', { env: 'production' });
    const dana = make('dana', 'staging');
    await expect(dana.setSecret('app/db', 'evil', { env: 'staging' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('"production"') });
    await expect(dana.rotateSecret('app/db', 'evil', { env: 'staging' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(make('root').setSecret('app/db', 'moved', { env: 'staging' })).resolves.toMatchObject({ version: 2 });
    await make('root').setSecret('app/db', 'prod-pw-2', { env: 'production' });
    const prod = make('root', 'production');
    expect(await prod.getSecret('app/db')).toBe('prod-pw-2');
    await dana.setSecret('app/web', 'ok', { env: 'staging' });
    expect(await dana.getSecret('app/web')).toBe('ok');
    const audit = await prod.getAuditLog({ key: 'app/db' });
    expect(audit.filter((e) => e.outcome === 'denied').map((e) => `${e.actor}:${e.action}`)).toEqual(['dana:update', 'dana:rotate']);
  });

  it('listSecrets shows age and rotation status, only keys the actor may read', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const dir = mkdtempSync(join(tmpdir(), 'fw-pol-'));
    dirs.push(dir);
    const root = new RegistrySecretsManager({ store: createStore({ driver: 'fs', root: join(dir, 'store') }), dataDir: dir, useBunSecrets: false, policy, actor: 'root', env: {}, now: () => t0 });
    await root.setSecret('db/password', 'a');
    await root.setSecret('misc', 'b', { maxAgeDays: 365 });
    const later = new RegistrySecretsManager({ store: root.store, dataDir: root.dataDir, useBunSecrets: false, policy, actor: 'olga', env: {}, now: () => new Date('2026-02-15T00:00:00Z') });
    const rows = await later.listSecrets();
    expect(rows.map((r) => [r.key, r.rotation, Math.round(r.ageDays)])).toEqual([['db/password', 'OVERDUE', 45]]);
    const rootRows = await new RegistrySecretsManager({ store: root.store, dataDir: root.dataDir, useBunSecrets: false, policy, actor: 'root', env: {}, now: () => new Date('2026-02-15T00:00:00Z') }).listSecrets();
    expect(rootRows.map((r) => [r.key, r.rotation])).toEqual([['db/password', 'OVERDUE'], ['misc', 'OK']]);
  });
});
