import { createStore, type Store } from '@factorywager/r2-store';
import { startS3TestServer, type S3TestServer } from '@factorywager/s3-test-server';
import { startRegistry, type RegistryProcess } from './registry-process.ts';

/** Two registry processes over one store, the second serving the first one's public URL. */
export interface ReplicaPair {
  a: RegistryProcess;
  b: RegistryProcess;
  /** A new client of the store both serve (close it after use). */
  store(): Store;
  /** Stops both processes (and the S3-protocol server, if any) and removes their data. */
  stop(): Promise<void>;
}

/**
 * Starts two server processes over one fs data folder, or over one bucket of a fresh local
 * S3-protocol server when `s3Bucket` is given.
 * @example
 * const pair = await startReplicas({ s3Bucket: 'fw-replicas' });
 * await fetch(`${pair.b.url}/-/ping`);
 * await pair.stop();
 */
export async function startReplicas(options: { s3Bucket?: string } = {}): Promise<ReplicaPair> {
  let s3: S3TestServer | undefined;
  let env: Record<string, string> = {};
  if (options.s3Bucket) {
    s3 = await startS3TestServer({ bucket: options.s3Bucket });
    env = { S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey, S3_REGION: s3.region, S3_BUCKET: s3.bucket };
  }
  let a: RegistryProcess | undefined;
  try {
    a = await startRegistry({ env });
    const b = await startRegistry({ ...(s3 ? {} : { dataDir: a.dataDir }), env: { ...env, REGISTRY_URL: a.url } });
    const first = a;
    return {
      a: first,
      b,
      store: () => s3
        ? createStore({ driver: 's3', endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, region: s3.region, forcePathStyle: true })
        : createStore({ driver: 'fs', root: first.dataDir }),
      async stop() {
        await b.stop();
        await first.stop();
        await s3?.stop();
      },
    };
  } catch (err) {
    await a?.stop();
    await s3?.stop();
    throw err;
  }
}
