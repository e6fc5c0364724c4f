import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore } from '@factorywager/r2-store';
import { RegistrySecretsManager } from '@factorywager/secrets';
import { runSecretsSuite } from './_suite.ts';

runSecretsSuite({
  name: 'the encrypted file vault',
  useBunSecrets: false,
  expectBackend(init) {
    if (init.backend !== 'file-vault') throw new Error(`expected file-vault, got ${init.backend}`);
  },
  async readLocal(_service, key, _dataDir, m) {
    const b = await (m as unknown as { open(): Promise<{ vault(): Promise<{ get(k: string): Promise<string | null> }> }> }).open();
    return (await b.vault()).get(key);
  },
});

describe('a local store that refuses the item after the commit', () => {
  it('does not fail the committed write nor skip its audit; reads use the envelope', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-vault-refuses-'));
    try {
      mkdirSync(join(dir, '.secrets'), { recursive: true });
      writeFileSync(join(dir, '.secrets', 'vault'), 'a file where the vault folder should be');
      const m = new RegistrySecretsManager({ store: createStore({ driver: 'fs', root: join(dir, 'store') }), dataDir: dir, useBunSecrets: false, actor: 'tester', cacheTtl: 0, env: {} });
      await expect(m.setSecret('k', 'value-1')).resolves.toMatchObject({ version: 1, current: true });
      await m.rotateSecret('k', 'value-2');
      expect(await m.getSecret('k')).toBe('value-2');
      expect((await m.getAuditLog({ key: 'k' })).map((e) => `${e.action}:${e.outcome}`)).toEqual(['create:ok', 'rotate:ok', 'read:ok']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
