import { StoreError } from './errors.ts';
import { createStore } from './create-store.ts';
import type { Store, StoreConfig } from './types.ts';

/**
 * Which bucket a store serves; each may have its own R2_<PURPOSE>_BUCKET.
 * @example
 * createStoreFromEnv(process.env, 'versions'); // R2_VERSIONS_BUCKET, else R2_REGISTRY_BUCKET
 */
export type StorePurpose = 'registry' | 'versions' | 'secrets';

/** The environment variables the store reads: `process.env` or any plain object of the same shape. */
export type Env = Record<string, string | undefined>;

const missing = (name: string, why: string): never => {
  throw new StoreError('INVALID_CONFIG', `${name} is not set (${why})`);
};

/**
 * Reads a StoreConfig from the environment:
 * - R2_ACCOUNT_ID + R2_ACCESS_KEY_ID + R2_SECRET_ACCESS_KEY + R2_<PURPOSE>_BUCKET (else
 *   R2_REGISTRY_BUCKET): Cloudflare R2, region `auto`;
 * - S3_ENDPOINT + credentials (S3_ACCESS_KEY_ID / AWS_ACCESS_KEY_ID or R2_ACCESS_KEY_ID, and the
 *   matching secret) + a bucket (S3_BUCKET or the R2_*_BUCKET names): any S3 store, path style;
 * - nothing set: the fs driver under FW_DATA_DIR (default ./.factorywager).
 * A half-set group throws StoreError INVALID_CONFIG naming the missing variable.
 * @example
 * storeConfigFromEnv({ FW_DATA_DIR: '/var/lib/fw' }) // { driver: 'fs', root: '/var/lib/fw' }
 */
export function storeConfigFromEnv(env: Env = process.env, purpose: StorePurpose = 'registry'): StoreConfig {
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const bucketVar = `R2_${purpose.toUpperCase()}_BUCKET`;
  const bucketOf = (extra: string[] = []) => {
    for (const name of [...extra, bucketVar, 'R2_REGISTRY_BUCKET']) {
      const v = get(name);
      if (v) return v;
    }
    return missing(bucketVar, `needed with ${extra.length ? 'S3_ENDPOINT' : 'R2_ACCOUNT_ID'}; R2_REGISTRY_BUCKET is the fallback`);
  };
  const region = get('S3_REGION') ?? get('AWS_REGION');

  if (get('S3_ENDPOINT')) {
    const endpoint = get('S3_ENDPOINT')!;
    try {
      new URL(endpoint);
    } catch {
      throw new StoreError('INVALID_CONFIG', `S3_ENDPOINT is not a URL: ${JSON.stringify(endpoint)}`);
    }
    const accessKeyId = get('S3_ACCESS_KEY_ID') ?? get('AWS_ACCESS_KEY_ID') ?? get('R2_ACCESS_KEY_ID')
      ?? missing('S3_ACCESS_KEY_ID', 'needed with S3_ENDPOINT; AWS_ACCESS_KEY_ID or R2_ACCESS_KEY_ID also work');
    const secretAccessKey = get('S3_SECRET_ACCESS_KEY') ?? get('AWS_SECRET_ACCESS_KEY') ?? get('R2_SECRET_ACCESS_KEY')
      ?? missing('S3_SECRET_ACCESS_KEY', 'needed with S3_ENDPOINT; AWS_SECRET_ACCESS_KEY or R2_SECRET_ACCESS_KEY also work');
    return {
      driver: 's3', endpoint, bucket: bucketOf(['S3_BUCKET']), accessKeyId, secretAccessKey,
      forcePathStyle: true, region: region ?? 'auto',
    };
  }
  const r2Vars = ['R2_ACCOUNT_ID', 'R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY'];
  if (r2Vars.some(get)) {
    for (const name of r2Vars) if (!get(name)) missing(name, `the R2 variables ${r2Vars.join(', ')} go together`);
    const accountId = get('R2_ACCOUNT_ID')!;
    return {
      driver: 's3', accountId, endpoint: `https://${accountId}.r2.cloudflarestorage.com`, region: 'auto',
      bucket: bucketOf(), accessKeyId: get('R2_ACCESS_KEY_ID')!, secretAccessKey: get('R2_SECRET_ACCESS_KEY')!,
    };
  }
  return { driver: 'fs', root: get('FW_DATA_DIR') ?? './.factorywager' };
}

/**
 * `createStore(storeConfigFromEnv(env, purpose))`: R2, any S3 store, or the fs driver by default.
 * @example
 * const store = createStoreFromEnv(process.env, 'secrets');
 */
export function createStoreFromEnv(env: Env = process.env, purpose: StorePurpose = 'registry'): Store {
  return createStore(storeConfigFromEnv(env, purpose));
}
