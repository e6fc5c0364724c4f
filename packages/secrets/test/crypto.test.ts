import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decryptEnvelope, encryptEnvelope, generateMasterKey, importAesKey, loadOrCreateKeyFile, parseMasterKey,
} from '@factorywager/secrets';

describe('envelope', () => {
  it('round-trips, uses a fresh 96-bit IV each time, and never contains the plaintext', async () => {
    const key = await importAesKey(generateMasterKey());
    const a = await encryptEnvelope(key, 'k', 1, 'plain-value');
    const b = await encryptEnvelope(key, 'k', 1, 'plain-value');
    expect(Buffer.from(a.iv, 'base64')).toHaveLength(12);
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
    expect(JSON.stringify(a)).not.toContain('plain-value');
    expect(await decryptEnvelope(key, 'k', 1, a)).toBe('plain-value');
  });

  it.each([
    ['flipped ciphertext bit', (e: any) => ({ ...e, data: flip(e.data, 0) })],
    ['flipped tag bit', (e: any) => ({ ...e, data: flip(e.data, -1) })],
    ['flipped IV bit', (e: any) => ({ ...e, iv: flip(e.iv, 0) })],
    ['other key name', (e: any) => ({ ...e, key: 'other' })],
    ['other version', (e: any) => ({ ...e, version: 2 })],
    ['not an envelope', () => ({ hello: 'world' })],
    ['bad base64', (e: any) => ({ ...e, data: '%%%' })],
  ])('%s gives DECRYPT_FAILED', async (_name, mutate) => {
    const key = await importAesKey(generateMasterKey());
    const env = await encryptEnvelope(key, 'k', 1, 'v');
    const bad = mutate(env);
    await expect(decryptEnvelope(key, bad.key ?? 'k', bad.version ?? 1, bad)).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });

  it('a wrong master key gives DECRYPT_FAILED', async () => {
    const env = await encryptEnvelope(await importAesKey(generateMasterKey()), 'k', 1, 'v');
    await expect(decryptEnvelope(await importAesKey(generateMasterKey()), 'k', 1, env)).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });
});

describe('master key', () => {
  it('accepts 64 hex, base64 of 32 bytes, or a long passphrase (PBKDF2, deterministic)', async () => {
    const raw = generateMasterKey();
    expect(await parseMasterKey(Buffer.from(raw).toString('hex'))).toEqual(raw);
    expect(await parseMasterKey(Buffer.from(raw).toString('base64'))).toEqual(raw);
    expect(await parseMasterKey(Buffer.from(raw).toString('base64url'))).toEqual(raw);
    const p1 = await parseMasterKey('correct horse battery staple');
    expect(p1).toHaveLength(32);
    expect(await parseMasterKey('correct horse battery staple')).toEqual(p1);
    expect(await parseMasterKey('correct horse battery stapler')).not.toEqual(p1);
    await expect(parseMasterKey('short')).rejects.toMatchObject({ code: 'INVALID_MASTER_KEY' });
  });

  it('creates the key file with mode 0600 once, and refuses one readable by others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-mk-'));
    try {
      const file = join(dir, 'sub', 'master.key');
      const first = await loadOrCreateKeyFile(file);
      expect(first.created).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const again = await loadOrCreateKeyFile(file);
      expect(again).toEqual({ key: first.key, created: false });
      chmodSync(file, 0o644);
      await expect(loadOrCreateKeyFile(file)).rejects.toMatchObject({ code: 'INVALID_MASTER_KEY' });
      writeFileSync(file, 'nonsense', { mode: 0o600 });
      chmodSync(file, 0o600);
      await expect(loadOrCreateKeyFile(file)).rejects.toMatchObject({ code: 'INVALID_MASTER_KEY' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('concurrent first uses all get the one key, never a file still being written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-mk-'));
    try {
      for (let round = 0; round < 20; round++) {
        const file = join(dir, `r${round}`, 'master.key');
        const results = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKeyFile(file)));
        expect(new Set(results.map((r) => Buffer.from(r.key).toString('hex'))).size).toBe(1);
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(readdirSync(join(dir, `r${round}`))).toEqual(['master.key']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function flip(b64: string, index: number): string {
  const bytes = Buffer.from(b64, 'base64');
  const i = index < 0 ? bytes.length + index : index;
  bytes[i]! ^= 0x01;
  return bytes.toString('base64');
}
