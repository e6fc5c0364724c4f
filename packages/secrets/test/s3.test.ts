// The same guarantees on the s3 driver, against the local S3-protocol server (fauxqs behind a
// conditional-write front): no plaintext anywhere in the bucket, and ten concurrent rotations.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '@factorywager/r2-store';
import { RegistrySecretsManager } from '@factorywager/secrets';
import { startS3TestServer, type S3TestServer } from '../../../tooling/s3-server/src/index.ts';

describe('RegistrySecretsManager on the s3 driver (local S3 server)', () => {
  let s3: S3TestServer;
  let store: Store;
  let dataDir: string;
  beforeAll(async () => {
    s3 = await startS3TestServer({ bucket: 'fw-secrets-test' });
    store = createStore({ driver: 's3', endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    dataDir = mkdtempSync(join(tmpdir(), 'fw-secrets-s3-'));
  });
  afterAll(async () => {
    await store?.close?.();
    await s3?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const make = () => new RegistrySecretsManager({ store, dataDir, useBunSecrets: false, env: {}, actor: 's3-tester', cacheTtl: 0 });

  async function scanBucket(needles: string[]): Promise<{ objects: number; hits: number }> {
    let objects = 0;
    let hits = 0;
    let cursor: string | undefined;
    do {
      const page = await store.list({ ...(cursor ? { cursor } : {}) });
      for (const k of page.keys) {
        const body = Buffer.from((await store.get(k))!.body);
        objects++;
        for (const n of needles) if (body.includes(n)) hits++;
      }
      cursor = page.cursor;
    } while (cursor);
    return { objects, hits };
  }

  it('finds the plaintext 0 times in the bucket after set, rotate, rollback, delete', async () => {
    const m = make();
    const a = `s3-needle-${crypto.randomUUID()}`;
    const b = `s3-needle-${crypto.randomUUID()}`;
    await m.setSecret('bucket/secret', a);
    await m.rotateSecret('bucket/secret', b);
    await m.rollbackSecret('bucket/secret', 1);
    expect(await m.getSecret('bucket/secret', { version: 2 })).toBe(b);
    await m.deleteSecret('bucket/secret');
    const scan = await scanBucket([a, b]);
    expect(scan.objects).toBeGreaterThanOrEqual(5); // current.json, 3 envelopes, audit
    expect(scan.hits).toBe(0);
    expect((await scanBucket(['bucket/secret'])).hits).toBeGreaterThan(0);
  });

  it('ten concurrent rotations give versions 2..11 once each', async () => {
    const m1 = make();
    const m2 = make();
    await m1.setSecret('s3/race', 'r-0');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? m2 : m1).rotateSecret('s3/race', `r-${i + 1}`)));
    expect(results.map((r) => r.version).sort((x, y) => x - y)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect((await m1.getSecretVersions('s3/race')).map((v) => v.version)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const winner = results.findIndex((r) => r.version === 11);
    expect(await m1.getSecret('s3/race')).toBe(`r-${winner + 1}`);
  });
});
