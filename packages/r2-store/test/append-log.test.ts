import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendLog, createStore, memoryDriver, sortableId, StoreError, wrapStore, type ObjectStore } from '@factorywager/r2-store';

describe('sortableId', () => {
  it('sorts in the order ids were made, also within one millisecond and when the clock steps back', () => {
    const ids = [sortableId(1_000), sortableId(1_000), sortableId(1_000), sortableId(999), sortableId(2_000)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toMatch(/^\d{13}-\d{4}-[0-9a-f]{8}$/);
  });
});

describe('appendLog', () => {
  it('writes one new object per append and reads them back in order, oldest or newest first', async () => {
    const store = wrapStore(memoryDriver());
    const log = appendLog<{ n: number }>(store, 'logs/a/');
    for (let n = 0; n < 25; n++) await log.append({ n });
    const keys = await log.keys();
    expect(keys).toHaveLength(25);
    const values: number[] = [];
    for await (const e of log.entries({ concurrency: 4 })) values.push(e.value.n);
    expect(values).toEqual(Array.from({ length: 25 }, (_, n) => n));
    const newest: number[] = [];
    for await (const e of log.entries({ reverse: true })) {
      newest.push(e.value.n);
      if (newest.length === 3) break;
    }
    expect(newest).toEqual([24, 23, 22]);
  });

  it('loses nothing when two stores over one fs folder append at once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fw-append-'));
    try {
      const a = appendLog<{ w: string; i: number }>(createStore({ driver: 'fs', root }), 'race/');
      const b = appendLog<{ w: string; i: number }>(createStore({ driver: 'fs', root }), 'race/');
      await Promise.all([a, b].map(async (log, w) => {
        for (let i = 0; i < 40; i++) await log.append({ w: String(w), i });
      }));
      const seen: string[] = [];
      for await (const e of a.entries()) seen.push(`${e.value.w}:${e.value.i}`);
      expect(seen).toHaveLength(80);
      expect(new Set(seen).size).toBe(80);
      // each writer's own entries stay in its order
      for (const w of ['0', '1']) {
        const mine = seen.filter((s) => s.startsWith(`${w}:`)).map((s) => Number(s.split(':')[1]));
        expect(mine).toEqual(Array.from({ length: 40 }, (_, i) => i));
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('retries an unavailable store (R2 429) and writes a retried append exactly once', async () => {
    const inner = memoryDriver();
    let failures = 0;
    const flaky: ObjectStore = {
      ...inner,
      async put(key, body, options) {
        // the first attempt lands but its answer is lost; the second is refused as "slow down"
        if (failures === 0) {
          failures++;
          await inner.put(key, body, options);
          throw new StoreError('UNAVAILABLE', 'connection reset after write', { key });
        }
        if (failures === 1) {
          failures++;
          throw new StoreError('UNAVAILABLE', '429 slow down', { key });
        }
        return inner.put(key, body, options);
      },
    };
    const store = wrapStore(flaky);
    const log = appendLog<{ ok: boolean }>(store, 'flaky/');
    await log.append({ ok: true });
    expect(failures).toBe(2);
    expect(await log.keys()).toHaveLength(1);
  });

  it('propagates errors that are not transient', async () => {
    const store = wrapStore({ ...memoryDriver(), put: async (key) => { throw new StoreError('INVALID_CONFIG', 'bucket gone', { key }); } });
    await expect(appendLog(store, 'x/').append({})).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    expect(() => appendLog(store, 'no-slash')).toThrow(/must end with/);
  });
});
