// How the s3 driver maps transport failures, against a port where nothing listens.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { s3Driver, wrapStore } from '@factorywager/r2-store';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('s3 driver errors', () => {
  it('maps a refused connection to UNAVAILABLE, which updateJson retries, then gives up with UNAVAILABLE', async () => {
    const driver = s3Driver({ endpoint: `http://127.0.0.1:${await closedPort()}`, bucket: 'b', accessKeyId: 'a', secretAccessKey: 's', region: 'auto' });
    await expect(driver.get('k')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const err = await wrapStore(driver).updateJson('k', () => 1, { retries: 2, backoffMs: 1 }).catch((e) => e);
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toContain('gave up after 2 attempts');
    expect(err.cause.code).toBe('UNAVAILABLE');
    await driver.close?.();
  });
});
