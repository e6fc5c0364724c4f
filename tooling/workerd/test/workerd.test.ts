import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleWorker, rssOf, startWorkers } from '@factorywager/workerd-test';

describe('startWorkers', () => {
  it('runs two Workers in workerd on their own 127.0.0.1 ports, memory apart, one bucket shared', async () => {
    const script = await bundleWorker(fileURLToPath(new URL('./fixtures/counter.ts', import.meta.url)));
    expect(script).not.toMatch(/__require\("node:path"\)/);
    const w = await startWorkers([
      { name: 'a', script, r2Buckets: { B: 'shared' } },
      { name: 'b', script, r2Buckets: { B: 'shared' } },
    ]);
    try {
      expect(w.urls.a).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(w.urls.b).not.toBe(w.urls.a);
      const get = async (url: string) => (await (await fetch(url)).json()) as { inMemory: number; stored: number; joined: string };
      expect(await get(w.urls.a!)).toEqual({ inMemory: 1, stored: 1, joined: 'a/b' });
      expect(await get(w.urls.a!)).toMatchObject({ inMemory: 2, stored: 2 });
      expect(await get(w.urls.b!)).toMatchObject({ inMemory: 1, stored: 3 }); // its own isolate, the same bucket
      expect(w.pid).toBeGreaterThan(0);
      expect(rssOf(w.pid!)).toBeGreaterThan(1024 * 1024);
    } finally {
      await w.stop();
    }
    await expect(fetch(w.urls.a!)).rejects.toThrow();
  });
});
