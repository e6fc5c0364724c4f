// One suite, run against the real OS keychain (keychain.test.ts) and against the file vault (vault.test.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore, keys } from '@factorywager/r2-store';
import { RegistrySecretsManager, MASTER_KEY_ITEM, type SecretsManagerOptions } from '@factorywager/secrets';

export interface Variant {
  name: string;
  useBunSecrets: boolean;
  /** Extra environment for every manager (the keychain variant sets FW_REQUIRE_KEYCHAIN=1: no silent fallback). */
  env?: Record<string, string>;
  /** Asserts the backend really used, e.g. that the keychain variant is on Bun.secrets. */
  expectBackend(init: { backend: string; reason: string }): void;
  /** Reads the current value where the backend keeps it, bypassing the manager. */
  readLocal(service: string, key: string, dataDir: string, m: RegistrySecretsManager): Promise<string | null>;
}

export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

export function countHits(dir: string, needle: string): number {
  const n = Buffer.from(needle);
  return filesUnder(dir).reduce((sum, f) => {
    const body = readFileSync(f);
    let hits = 0;
    for (let i = body.indexOf(n); i !== -1; i = body.indexOf(n, i + 1)) hits++;
    return sum + hits;
  }, 0);
}

export function runSecretsSuite(v: Variant) {
  describe(`RegistrySecretsManager on ${v.name}`, () => {
    const service = `fw-test-${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
    const cleanups: Array<() => Promise<unknown>> = [];
    let dataDir: string;

    const make = (extra: Partial<SecretsManagerOptions> = {}) => {
      const m = new RegistrySecretsManager({
        store: createStore({ driver: 'fs', root: join(dataDir, 'store') }),
        service, dataDir, useBunSecrets: v.useBunSecrets, actor: 'tester', cacheTtl: 0, env: { ...v.env }, ...extra,
      });
      cleanups.push(async () => {
        for (const s of await m.listSecrets({ includeDeleted: true }).catch(() => [])) await m.deleteSecret(s.key, { purge: true }).catch(() => undefined);
      });
      return m;
    };

    beforeEach(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'fw-secrets-'));
    });
    afterEach(async () => {
      for (const c of cleanups.splice(0)) await c();
      const bun = (globalThis as { Bun?: { secrets?: { delete(o: object): Promise<boolean> } } }).Bun;
      if (v.useBunSecrets) await bun?.secrets?.delete({ service, name: MASTER_KEY_ITEM }).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('initialize() reports the backend and why', async () => {
      const init = await make().initialize();
      v.expectBackend(init);
      expect(init.service).toBe(service);
      expect(init.reason.length).toBeGreaterThan(10);
    });

    it('set, get, rotate, versions, rollback, get: the product flow', async () => {
      const m = make();
      await m.setSecret('test', 'hello');
      expect(await m.getSecret('test')).toBe('hello');
      expect(await v.readLocal(service, 'test', dataDir, m)).toBe('hello');
      await m.rotateSecret('test', 'world');
      expect(await m.getSecret('test')).toBe('world');
      expect(await v.readLocal(service, 'test', dataDir, m)).toBe('world');
      const versions = await m.getSecretVersions('test');
      expect(versions.map((x) => [x.version, x.action, x.actor, x.current])).toEqual([[2, 'rotate', 'tester', true], [1, 'create', 'tester', false]]);
      const graph = m.generateVersionGraph('test', versions);
      expect(graph).toMatch(/v2 +rotate +\d{4}-\d{2}-\d{2} +by tester[\s\S]*v1 +create +\d{4}-\d{2}-\d{2} +by tester/);
      expect(graph).toContain('tester');
      await m.rollbackSecret('test', 1);
      expect(await m.getSecret('test')).toBe('hello');
      expect(await v.readLocal(service, 'test', dataDir, m)).toBe('hello');
      expect(await m.getSecret('test', { version: 2 })).toBe('world');
      const after = await m.getSecretVersions('test');
      expect(after[0]).toMatchObject({ version: 3, action: 'rollback', from: 1, current: true });
      await m.setSecret('test', 'again');
      expect((await m.getSecretVersions('test'))[0]).toMatchObject({ version: 4, action: 'update' });
    });

    it('stores no plaintext anywhere in the data folder after set, rotate, rollback, delete', async () => {
      const m = make();
      const a = `needle-A-${crypto.randomUUID()}`;
      const b = `needle-B-${crypto.randomUUID()}`;
      await m.setSecret('db/password', a, { tags: ['db'] });
      await m.rotateSecret('db/password', b);
      await m.rollbackSecret('db/password', 1);
      expect(await m.getSecret('db/password')).toBe(a);
      expect(filesUnder(dataDir).length).toBeGreaterThan(3);
      expect(countHits(dataDir, a) + countHits(dataDir, b)).toBe(0);
      expect(countHits(dataDir, 'db/password')).toBeGreaterThan(0); // the scan does see the files
      await m.deleteSecret('db/password');
      expect(countHits(dataDir, a) + countHits(dataDir, b)).toBe(0);
      expect(await v.readLocal(service, 'db/password', dataDir, m)).toBeNull();
    });

    it('one flipped byte in an envelope gives DECRYPT_FAILED; a moved envelope too', async () => {
      const m = make();
      await m.setSecret('api', 'first-value');
      await m.rotateSecret('api', 'second-value');
      // 1. one byte of the stored file changed (a base64 character of the ciphertext, so its bits change)
      const file = join(dataDir, 'store', keys.secretVersion('api', 1));
      const raw = readFileSync(file);
      const at = raw.indexOf('"data":"') + 12;
      raw[at] = raw[at] === 0x41 ? 0x42 : 0x41;
      writeFileSync(file, raw);
      await expect(m.getSecret('api', { version: 1 })).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
      // 2. one byte of the decoded ciphertext flipped, written through the store
      const v2 = (await m.store.getJson<{ data: string }>(keys.secretVersion('api', 2)))!;
      const bytes = Buffer.from(v2.data, 'base64');
      bytes[bytes.length - 1]! ^= 0x80;
      await m.store.putJson(keys.secretVersion('api', 2), { ...v2, data: bytes.toString('base64') });
      await expect(m.getSecret('api', { version: 2 })).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
      // 3. an intact envelope moved to another version number (AAD binds key and version)
      await m.store.putJson(keys.secretVersion('api', 1), { ...v2, version: 1 });
      await expect(m.getSecret('api', { version: 1 })).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
      // the current value still comes from the local item, checked against current.json
      expect(await m.getSecret('api')).toBe('second-value');
    });

    it('ten concurrent rotations give versions 2..11, each exactly once', async () => {
      const m = make();
      const other = make(); // a second manager over the same store: no shared in-process state but the store
      await m.setSecret('race', 'v-0');
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : m).rotateSecret('race', `v-${i + 1}`)));
      expect(results.map((r) => r.version).sort((x, y) => x - y)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      const versions = await m.getSecretVersions('race');
      expect(versions.map((x) => x.version)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
      const winner = results.find((r) => r.version === 11)!;
      const winnerValue = `v-${results.indexOf(winner) + 1}`;
      expect(await m.getSecret('race')).toBe(winnerValue);
      expect(await v.readLocal(service, 'race', dataDir, m)).toBe(winnerValue);
      for (let n = 2; n <= 11; n++) expect(await m.getSecret('race', { version: n })).toBe(`v-${results.findIndex((r) => r.version === n) + 1}`);
    });

    it('soft delete hides, rollback restores, purge destroys every version; the audit keeps no values', async () => {
      const m = make();
      await m.setSecret('svc/token', 'tok-1-secret');
      await m.rotateSecret('svc/token', 'tok-2-secret');
      await m.deleteSecret('svc/token');
      await expect(m.getSecret('svc/token')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(m.rotateSecret('svc/token', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await m.listSecrets()).map((s) => s.key)).not.toContain('svc/token');
      expect((await m.getSecretVersions('svc/token'))[0]).toMatchObject({ action: 'delete', version: 2 });
      await m.rollbackSecret('svc/token', 2);
      expect(await m.getSecret('svc/token')).toBe('tok-2-secret');
      await m.deleteSecret('svc/token', { purge: true });
      expect(filesUnder(join(dataDir, 'store')).filter((f) => f.includes('svc/token'))).toEqual([]);
      expect(await v.readLocal(service, 'svc/token', dataDir, m)).toBeNull();
      await expect(m.getSecretVersions('svc/token')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const audit = await m.getAuditLog({ key: 'svc/token' });
      expect(audit.map((e) => `${e.action}:${e.outcome}`)).toEqual([
        'create:ok', 'rotate:ok', 'delete:ok', 'rotate:error', 'rollback:ok', 'read:ok', 'purge:ok',
      ]);
      expect(audit.every((e) => e.actor === 'tester' && e.at)).toBe(true);
      expect(JSON.stringify(audit)).not.toMatch(/tok-\d-secret/);
    });

    it('delete and purge drop the local copy from the keychain and the vault, wherever earlier versions were kept', async () => {
      const m = make();
      const vaultGet = async (key: string) => {
        const b = await (m as unknown as { open(): Promise<{ vault(): Promise<{ get(k: string): Promise<string | null> }> }> }).open();
        return (await b.vault()).get(key);
      };
      await m.setSecret('mixed', 'local-1');
      await m.setSecret('mixed', 'in-vault-2', { useBunSecrets: false });
      await m.setSecret('vault-first', 'in-vault-1', { useBunSecrets: false });
      await m.setSecret('vault-first', 'local-2');
      expect(await m.getSecret('mixed')).toBe('in-vault-2');
      expect(await m.getSecret('vault-first')).toBe('local-2');
      await m.deleteSecret('mixed');
      await m.deleteSecret('vault-first', { purge: true });
      for (const key of ['mixed', 'vault-first']) {
        expect(await v.readLocal(service, key, dataDir, m)).toBeNull();
        expect(await vaultGet(key)).toBeNull();
      }
    });

    it('a purge or delete that dies half way leaves no local copy behind', async () => {
      const m = make();
      await m.setSecret('half/purge', 'half-purged-value');
      await m.setSecret('half/delete', 'half-deleted-value');
      const crashAfter = (write: 'delete' | 'updateJson') => Object.assign(Object.create(null), m.store, {
        [write]: async (...args: unknown[]) => {
          await (m.store[write] as (...a: unknown[]) => Promise<unknown>)(...args);
          throw new Error('crashed');
        },
      });
      const purger = make({ store: crashAfter('delete') });
      await expect(purger.deleteSecret('half/purge', { purge: true })).rejects.toThrow('crashed');
      expect(await v.readLocal(service, 'half/purge', dataDir, m)).toBeNull();
      const deleter = make({ store: crashAfter('updateJson') });
      await expect(deleter.deleteSecret('half/delete')).rejects.toThrow('crashed');
      expect(await v.readLocal(service, 'half/delete', dataDir, m)).toBeNull();
    });

    it('FW_MASTER_KEY and the key the backend keeps agree, or opening fails rather than writing envelopes no other machine can read', async () => {
      const shared = 'a shared team passphrase of 16+';
      await make({ env: { ...v.env, FW_MASTER_KEY: shared } }).setSecret('agreed', 'value-1');
      expect(await make({ env: { ...v.env, FW_MASTER_KEY: shared } }).getSecret('agreed', { version: 1 })).toBe('value-1');
      if (!v.useBunSecrets) return; // the vault uses FW_MASTER_KEY itself
      await expect(make({ env: { ...v.env, FW_MASTER_KEY: 'another passphrase of 16+' } }).initialize())
        .rejects.toMatchObject({ code: 'INVALID_MASTER_KEY', message: expect.stringContaining('FW_MASTER_KEY differs') });
    });

    it('keeps maxVersions envelopes and marks older ones destroyed', async () => {
      const m = make({ policy: { maxVersions: 2 } });
      for (let i = 1; i <= 4; i++) await m.setSecret('kept', `value-${i}`);
      const versions = await m.getSecretVersions('kept');
      expect(versions.map((x) => [x.version, Boolean(x.destroyed)])).toEqual([[4, false], [3, false], [2, true], [1, true]]);
      await expect(m.getSecret('kept', { version: 1 })).rejects.toMatchObject({ code: 'VERSION_NOT_FOUND' });
      expect(await m.getSecret('kept', { version: 3 })).toBe('value-3');
      // the envelopes left on disk (the fs store keeps each object's metadata in a .<name>.fw-meta file beside it)
      expect(filesUnder(join(dataDir, 'store', 'secrets', 'kept', 'versions')).filter((f) => !f.endsWith('.fw-meta')).map((f) => basename(f)).sort()).toEqual(['3.json', '4.json']);
    });

    it('a stale local item (another writer won) is detected and the envelope wins', async () => {
      const m = make();
      await m.setSecret('stale', 'good-1');
      await m.rotateSecret('stale', 'good-2');
      const b = await (m as unknown as { open(): Promise<{ keychain: { set(k: string, v: string): Promise<void> } }> }).open();
      await b.keychain.set('stale', 'good-1');
      expect(await m.getSecret('stale')).toBe('good-2');
      expect(await v.readLocal(service, 'stale', dataDir, m)).toBe('good-2');
    });

    it('registry credentials live under registry:<host>', async () => {
      const m = make();
      expect(await m.getRegistryCredentials('127.0.0.1:4873')).toBeNull();
      await m.storeRegistryCredentials('http://127.0.0.1:4873/', { token: 'npm-token-xyz' });
      expect(await m.getRegistryCredentials('127.0.0.1:4873')).toEqual({ token: 'npm-token-xyz' });
      expect((await m.listSecrets()).map((s) => s.key)).toEqual(['registry:127.0.0.1:4873']);
      expect(await v.readLocal(service, 'registry:127.0.0.1:4873', dataDir, m)).toBe('{"token":"npm-token-xyz"}');
    });

    it('rejects bad keys and values before touching storage', async () => {
      const m = make();
      for (const bad of ['../x', 'a/../b', '', '/abs', 'x/versions', 'has space', 'master-key', '_audit']) {
        await expect(m.setSecret(bad, 'v')).rejects.toMatchObject({ code: 'INVALID_KEY' });
      }
      await expect(m.setSecret('ok', '')).rejects.toMatchObject({ code: 'INVALID_VALUE' });
      expect(filesUnder(dataDir).filter((f) => f.includes(`${join('store', 'secrets')}/`) && !f.includes('_audit'))).toEqual([]);
    });

    it('caches reads for the TTL; writes through the same manager invalidate', async () => {
      const reader = make({ cacheTtl: 3600 });
      const writer = make();
      await writer.setSecret('cached', 'one');
      expect(await reader.getSecret('cached')).toBe('one');
      await writer.rotateSecret('cached', 'two');
      expect(await reader.getSecret('cached')).toBe('one');
      reader.clearCache();
      expect(await reader.getSecret('cached')).toBe('two');
      await reader.rotateSecret('cached', 'three');
      expect(await reader.getSecret('cached')).toBe('three');
    });
  });
}
