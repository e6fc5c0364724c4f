import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, startWorkers, type RunningWorkers } from '@factorywager/workerd-test';

describe('secrets on Cloudflare Workers (in workerd)', () => {
  let w: RunningWorkers;
  beforeAll(async () => {
    const script = await bundleWorker(fileURLToPath(new URL('./fixtures/workers-secrets.ts', import.meta.url)));
    w = await startWorkers([{ name: 'secrets', script, r2Buckets: { B: 'secrets' } }]);
  });
  afterAll(async () => {
    await w?.stop();
  });

  it('the keychain, the file vault and the key file fail with KEYCHAIN_UNAVAILABLE naming the alternative, and nothing is written', async () => {
    const r = (await (await fetch(`${w.urls.secrets}/`)).json()) as Record<string, any>;
    expect(r.userAgent).toBe('Cloudflare-Workers');
    for (const what of ['manager', 'vault', 'keychain', 'keyFile']) {
      expect(r[what], what).toMatchObject({ ok: false, code: 'KEYCHAIN_UNAVAILABLE' });
      expect(r[what].message).toMatch(/not available on Cloudflare Workers.*fw secrets.*against the same bucket/);
    }
    expect(r.written).toEqual([]);
  });
});
