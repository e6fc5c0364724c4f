import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3TestServer, type S3TestServer } from '@factorywager/s3-test-server';
import { createStore, s3Driver } from '@factorywager/r2-store';

let s3: S3TestServer;
beforeAll(async () => { s3 = await startS3TestServer(); });
afterAll(async () => { await s3?.stop(); });

describe('s3 driver key prefix', () => {
  it('keeps two prefixes in one bucket apart and strips the prefix from listed keys', async () => {
    const base = { driver: 's3' as const, endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
    const a = createStore({ ...base, prefix: 'tenant-a' });
    const b = createStore({ ...base, prefix: 'tenant-b/' });
    await a.putJson('packages/p/manifest.json', { who: 'a' });
    await b.putJson('packages/p/manifest.json', { who: 'b' });
    expect(await a.getJson('packages/p/manifest.json')).toEqual({ who: 'a' });
    expect(await b.getJson('packages/p/manifest.json')).toEqual({ who: 'b' });
    expect(await a.list({ prefix: 'packages/', delimiter: '/' })).toEqual({ keys: [], prefixes: ['packages/p/'] });
    const raw = s3Driver({ endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: 'x', secretAccessKey: 'y' });
    expect((await raw.list()).keys).toEqual(['tenant-a/packages/p/manifest.json', 'tenant-b/packages/p/manifest.json']);
    await Promise.all([a.close?.(), b.close?.(), raw.close?.()]);
  });
});
