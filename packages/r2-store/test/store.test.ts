// Unit tests of the updateJson retry logic, over the memory driver with injected failures.
import { describe, expect, it } from 'vitest';
import { StoreError, memoryDriver, wrapStore, type ObjectStore } from '@factorywager/r2-store';

function failingPuts(codes: Array<'PRECONDITION_FAILED' | 'UNAVAILABLE' | 'INTERNAL'>): ObjectStore & { puts: number } {
  const inner = memoryDriver();
  const driver = {
    ...inner,
    puts: 0,
    async put(key: string, body: Parameters<ObjectStore['put']>[1], options?: Parameters<ObjectStore['put']>[2]) {
      driver.puts++;
      const code = codes.shift();
      if (code) throw new StoreError(code, `injected ${code}`, { key });
      return inner.put(key, body, options);
    },
  };
  return driver;
}

describe('updateJson retry logic', () => {
  it('retries PRECONDITION_FAILED and UNAVAILABLE, then writes', async () => {
    const driver = failingPuts(['PRECONDITION_FAILED', 'UNAVAILABLE', 'PRECONDITION_FAILED']);
    const store = wrapStore(driver);
    const r = await store.updateJson<number>('k.json', (cur) => (cur ?? 0) + 1, { backoffMs: 1 });
    expect(r).toMatchObject({ value: 1, written: true, conflicts: 2 });
    expect(driver.puts).toBe(4);
    expect(await store.getJson('k.json')).toBe(1);
  });

  it('gives up with CONFLICT after the configured attempts, writing nothing', async () => {
    const driver = failingPuts(Array(10).fill('PRECONDITION_FAILED'));
    const store = wrapStore(driver);
    const err = await store.updateJson('k.json', () => 1, { retries: 5, backoffMs: 1 }).catch((e) => e);
    expect(err.code).toBe('CONFLICT');
    expect(err.cause.code).toBe('PRECONDITION_FAILED');
    expect(driver.puts).toBe(5);
    expect(await store.get('k.json')).toBeNull();
  });

  it('does not retry other errors', async () => {
    const driver = failingPuts(['INTERNAL']);
    const store = wrapStore(driver);
    await expect(store.updateJson('k.json', () => 1, { backoffMs: 1 })).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(driver.puts).toBe(1);
  });

  it('propagates what fn throws at once, even a StoreError with a retryable code', async () => {
    for (const code of ['PRECONDITION_FAILED', 'UNAVAILABLE'] as const) {
      const store = wrapStore(memoryDriver());
      let calls = 0;
      const thrown = new StoreError(code, `fn's own ${code}`, { key: 'other.tgz' });
      const err = await store.updateJson('k.json', () => { calls++; throw thrown; }, { backoffMs: 1 }).catch((e) => e);
      expect(err).toBe(thrown);
      expect(calls).toBe(1);
    }
  });

  it('uses If-None-Match for an absent key and If-Match for an existing one', async () => {
    const seen: unknown[] = [];
    const inner = memoryDriver();
    const store = wrapStore({ ...inner, put: (k, b, o) => { seen.push(o); return inner.put(k, b, o); } });
    const first = await store.updateJson<number>('c.json', () => 1);
    await store.updateJson<number>('c.json', (n) => n! + 1);
    expect(seen[0]).toMatchObject({ ifNoneMatch: '*' });
    expect(seen[1]).toMatchObject({ ifMatch: first.etag });
  });
});
