import { describe, expect, it } from 'vitest';
import { memoryDriver, wrapStore, type ObjectStore } from '@factorywager/r2-store';
import { DownloadCounter, downloadsKey, type DownloadCounts } from '../src/packages/downloads.ts';

/** A memory store that counts the writes of download counts. */
function countingStore() {
  const inner = memoryDriver();
  let writes = 0;
  const driver: ObjectStore = { ...inner, put: (key, body, opts) => { if (key.endsWith('/downloads.json')) writes++; return inner.put(key, body, opts); } };
  return { store: wrapStore(driver), writes: () => writes };
}

describe('download counts', () => {
  it('with a gap, downloads during and after a write go out in one write per gap; idle() writes them at once', async () => {
    const { store, writes } = countingStore();
    const counter = new DownloadCounter(store, undefined, 60_000); // a gap no test waits for
    expect(counter.record('pkg', '1.0.0')).toBeInstanceOf(Promise); // starts a write (and the gap after it)
    for (let i = 0; i < 100 && writes() === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(writes()).toBe(1); // written; the counter now waits out the gap before the next write
    for (let i = 0; i < 500; i++) expect(counter.record('pkg', i % 2 ? '1.0.0' : '2.0.0')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 20));
    expect(writes()).toBe(1); // gathered, not written yet
    await counter.idle(); // ends the gap: one write for all 500
    expect(writes()).toBe(2);
    expect(await store.getJson<DownloadCounts>(downloadsKey('pkg'))).toEqual({ total: 501, versions: { '1.0.0': 251, '2.0.0': 250 } });
  });

  it('without a gap (Workers), every write follows the one before at once', async () => {
    const { store, writes } = countingStore();
    const counter = new DownloadCounter(store);
    await counter.record('pkg', '1.0.0');
    counter.record('pkg', '1.0.0');
    await counter.idle();
    expect(writes()).toBe(2);
    expect((await store.getJson<DownloadCounts>(downloadsKey('pkg')))!.total).toBe(2);
  });
});
