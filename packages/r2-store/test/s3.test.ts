import { startS3TestServer } from '@factorywager/s3-test-server';
import { s3Driver } from '@factorywager/r2-store';
import { testDriver } from './contract.ts';

testDriver('s3 (local S3-protocol server)', async () => {
  const s3 = await startS3TestServer();
  const driver = s3Driver({
    endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region,
    accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey,
  });
  return { driver, cleanup: () => s3.stop() };
});
