import { describe, expect, it } from 'vitest';
import { createStoreFromEnv, storeConfigFromEnv } from '@factorywager/r2-store';

const r2 = { R2_ACCOUNT_ID: 'acc123', R2_ACCESS_KEY_ID: 'AK', R2_SECRET_ACCESS_KEY: 'SK', R2_REGISTRY_BUCKET: 'reg' };

describe('storeConfigFromEnv', () => {
  it('defaults to the fs driver under FW_DATA_DIR or ./.factorywager', () => {
    expect(storeConfigFromEnv({})).toEqual({ driver: 'fs', root: './.factorywager' });
    expect(storeConfigFromEnv({ FW_DATA_DIR: '/data/fw' })).toEqual({ driver: 'fs', root: '/data/fw' });
    expect(createStoreFromEnv({ FW_DATA_DIR: '/tmp/fw-never-written' }).name).toBe('fs');
  });

  it('builds an R2 config with region auto, per-purpose buckets and the registry fallback', () => {
    expect(storeConfigFromEnv(r2)).toEqual({
      driver: 's3', accountId: 'acc123', endpoint: 'https://acc123.r2.cloudflarestorage.com', region: 'auto',
      bucket: 'reg', accessKeyId: 'AK', secretAccessKey: 'SK',
    });
    expect(storeConfigFromEnv({ ...r2, R2_SECRETS_BUCKET: 'sec' }, 'secrets')).toMatchObject({ bucket: 'sec' });
    expect(storeConfigFromEnv(r2, 'versions')).toMatchObject({ bucket: 'reg' });
    expect(createStoreFromEnv(r2).name).toBe('s3');
  });

  it('builds a path-style config for any S3 endpoint', () => {
    expect(storeConfigFromEnv({ S3_ENDPOINT: 'http://127.0.0.1:9000', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', S3_BUCKET: 'x' }))
      .toEqual({ driver: 's3', endpoint: 'http://127.0.0.1:9000', bucket: 'x', accessKeyId: 'a', secretAccessKey: 'b', forcePathStyle: true, region: 'auto' });
  });

  it('names the missing variable with INVALID_CONFIG', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ R2_ACCOUNT_ID: 'acc' }, 'R2_ACCESS_KEY_ID'],
      [{ R2_ACCOUNT_ID: 'acc', R2_ACCESS_KEY_ID: 'a' }, 'R2_SECRET_ACCESS_KEY'],
      [{ R2_ACCESS_KEY_ID: 'a', R2_SECRET_ACCESS_KEY: 'b' }, 'R2_ACCOUNT_ID'],
      [{ R2_ACCOUNT_ID: 'acc', R2_ACCESS_KEY_ID: 'a', R2_SECRET_ACCESS_KEY: 'b' }, 'R2_REGISTRY_BUCKET'],
      [{ S3_ENDPOINT: 'http://127.0.0.1:1' }, 'S3_ACCESS_KEY_ID'],
      [{ S3_ENDPOINT: 'not a url', S3_ACCESS_KEY_ID: 'a' }, 'S3_ENDPOINT'],
    ];
    for (const [env, name] of cases) {
      let err: { code?: string; message?: string } | undefined;
      try { storeConfigFromEnv(env); } catch (e) { err = e as typeof err; }
      expect(err?.code, JSON.stringify(env)).toBe('INVALID_CONFIG');
      expect(err?.message).toContain(name);
    }
    let versionsErr: Error | undefined;
    try { storeConfigFromEnv({ R2_ACCOUNT_ID: 'acc', R2_ACCESS_KEY_ID: 'a', R2_SECRET_ACCESS_KEY: 'b' }, 'versions'); } catch (e) { versionsErr = e as Error; }
    expect(versionsErr?.message).toContain('R2_VERSIONS_BUCKET');
  });
});
