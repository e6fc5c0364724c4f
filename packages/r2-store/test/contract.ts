// The one contract suite every driver runs (as unjs/unstorage's testDriver): a new driver is proven
// by the same cases. Each driver's test file is a few lines that call testDriver.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStoreError, wrapStore, type ObjectStore, type Store } from '../src/index.ts';

export interface DriverSetup {
  driver: ObjectStore;
  /** Stops servers and removes folders the setup made. */
  cleanup?: () => Promise<void>;
}

export interface ContractOptions {
  /**
   * False where RSS growth cannot show the driver's memory: the memory driver keeps bytes by design;
   * inside workerd the process also runs miniflare's R2 simulator, which holds the object's bytes.
   */
  boundedMemory?: boolean;
  /**
   * How to read the resident memory of the process the driver runs in, and to collect garbage.
   * Default: this process (`process.memoryUsage().rss`, `Bun.gc`). Inside workerd the test worker
   * asks the host for the workerd process's RSS.
   */
  memory?: { rss(): number | Promise<number>; gc?(): void; sampleMs?: number };
  /** Whether the driver has a `changeStamp` (a synchronous change signal) here. Default false. */
  changeStamp?: boolean;
}

const MiB = 1024 * 1024;

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err, `expected StoreError ${code}`).toBeDefined();
  expect((err as { code?: string }).code).toBe(code);
  expect(isStoreError(err, code as never)).toBe(true);
}

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

const bunGc = () => (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true);

/** 64 MiB of deterministic, non-repeating bytes as a stream of fresh 1 MiB chunks. */
function bigStream(total: number, hash: ReturnType<typeof createHash>, gc: () => void): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const chunk = new Uint8Array(Math.min(MiB, total - sent));
      const view = new DataView(chunk.buffer);
      for (let i = 0; i + 4 <= chunk.byteLength; i += 4) view.setUint32(i, (sent + i) * 2654435761, true);
      hash.update(chunk);
      sent += chunk.byteLength;
      if (sent % (8 * MiB) === 0) gc(); // RSS should show live memory, not garbage not yet collected
      controller.enqueue(chunk);
    },
  });
}


/**
 * Runs the object-store contract against a driver made by `setup`.
 * @example
 * testDriver('memory', async () => ({ driver: memoryDriver() }), { boundedMemory: false });
 */
export function testDriver(name: string, setup: () => Promise<DriverSetup>, options: ContractOptions = {}): void {
  const rss = options.memory?.rss ?? (() => process.memoryUsage().rss);
  const gc = options.memory?.gc ?? (options.memory ? () => {} : bunGc);
  describe(`store contract: ${name}`, () => {
    let store: Store;
    let made: DriverSetup;
    beforeAll(async () => {
      made = await setup();
      store = wrapStore(made.driver);
    });
    afterAll(async () => {
      await store?.close?.();
      await made?.cleanup?.();
    });

    it('puts, gets, heads, streams and deletes an object with content type and metadata', async () => {
      const put = await store.put('basic/a.txt', 'hello', { contentType: 'text/plain', metadata: { owner: 'ann' } });
      expect(put.etag).toBeTruthy();
      const got = await store.get('basic/a.txt');
      expect(new TextDecoder().decode(got!.body)).toBe('hello');
      expect(got!.etag).toBe(put.etag);
      expect(got!.size).toBe(5);
      const head = await store.head('basic/a.txt');
      expect(head).toMatchObject({ key: 'basic/a.txt', etag: put.etag, size: 5, contentType: 'text/plain', metadata: { owner: 'ann' } });
      expect(head!.lastModified).toBeInstanceOf(Date);
      const streamed = await store.getStream('basic/a.txt');
      expect(await new Response(streamed!.body).text()).toBe('hello');
      expect(await store.getText('basic/a.txt')).toBe('hello');
      const second = await store.put('basic/a.txt', new TextEncoder().encode('world'));
      expect(second.etag).not.toBe(put.etag);
      await store.delete('basic/a.txt');
      expect(await store.get('basic/a.txt')).toBeNull();
      expect(await store.getStream('basic/a.txt')).toBeNull();
      expect(await store.head('basic/a.txt')).toBeNull();
      await store.delete('basic/a.txt'); // deleting what is gone is not an error
    });

    if (!options.changeStamp) {
      it('has no changeStamp: every reader has to head', () => {
        expect(made.driver.changeStamp).toBeUndefined();
        expect(store.changeStamp).toBeUndefined();
      });
    } else it('changeStamp reads differently after each put and delete of the key, and the same while nothing is written', async () => {
      expect(typeof store.changeStamp).toBe('function');
      const seen: (number | undefined)[] = [store.changeStamp!('stamp/a.json')];
      expect(typeof seen[0]).toBe('number');
      await store.head('stamp/a.json');
      await store.put('stamp/other.json', '{}'); // another key: may share a slot, so no assertion on a
      seen.push(store.changeStamp!('stamp/a.json'));
      await store.put('stamp/a.json', '{"v":1}');
      seen.push(store.changeStamp!('stamp/a.json'));
      expect(seen[2]).not.toBe(seen[1]);
      expect(store.changeStamp!('stamp/a.json')).toBe(seen[2]); // nothing written since
      await store.put('stamp/a.json', '{"v":2}', { ifMatch: (await store.head('stamp/a.json'))!.etag });
      seen.push(store.changeStamp!('stamp/a.json'));
      expect(seen[3]).not.toBe(seen[2]);
      await expectCode(store.put('stamp/a.json', '{}', { ifNoneMatch: '*' }), 'PRECONDITION_FAILED');
      await store.delete('stamp/a.json');
      seen.push(store.changeStamp!('stamp/a.json'));
      expect(seen[4]).not.toBe(seen[3]);
      await store.deleteMany(['stamp/other.json']);
      await store.put('stamp/a.json', '{}');
      await store.deleteMany(['stamp/a.json']);
      expect(store.changeStamp!('stamp/a.json')).not.toBe(seen[4]);
    });

    it('round-trips JSON and reports INVALID_JSON for bytes that are not JSON', async () => {
      await store.putJson('json/v.json', { a: [1, 'two'], b: null });
      expect(await store.getJson('json/v.json')).toEqual({ a: [1, 'two'], b: null });
      expect((await store.head('json/v.json'))!.contentType).toBe('application/json');
      const withEtag = await store.getJsonWithEtag('json/v.json');
      expect(withEtag!.etag).toBe((await store.head('json/v.json'))!.etag);
      await store.put('json/bad.json', '{not json');
      await expectCode(store.getJson('json/bad.json'), 'INVALID_JSON');
      expect(await store.getJson('json/missing.json')).toBeNull();
    });

    it('If-None-Match: * on an existing key fails with PRECONDITION_FAILED and leaves the object unchanged', async () => {
      const first = await store.put('cond/once.json', '{"v":1}', { ifNoneMatch: '*' });
      await expectCode(store.put('cond/once.json', '{"v":2}', { ifNoneMatch: '*' }), 'PRECONDITION_FAILED');
      const now = await store.get('cond/once.json');
      expect(new TextDecoder().decode(now!.body)).toBe('{"v":1}');
      expect(now!.etag).toBe(first.etag);
    });

    it('If-Match with a stale or absent etag fails; with the current etag it writes', async () => {
      const v1 = await store.put('cond/m.json', '{"v":1}');
      const v2 = await store.put('cond/m.json', '{"v":2}', { ifMatch: v1.etag });
      await expectCode(store.put('cond/m.json', '{"v":3}', { ifMatch: v1.etag }), 'PRECONDITION_FAILED');
      expect(await store.getJson('cond/m.json')).toEqual({ v: 2 });
      expect((await store.head('cond/m.json'))!.etag).toBe(v2.etag);
      await expectCode(store.put('cond/absent.json', '{}', { ifMatch: v2.etag }), 'PRECONDITION_FAILED');
      expect(await store.head('cond/absent.json')).toBeNull();
    });

    it('applies If-None-Match and If-Match to stream bodies too', async () => {
      const stream = (text: string) => new Blob([text]).stream() as ReadableStream<Uint8Array>;
      const first = await store.put('cond/stream.txt', stream('one'), { ifNoneMatch: '*' });
      await expectCode(store.put('cond/stream.txt', stream('two'), { ifNoneMatch: '*' }), 'PRECONDITION_FAILED');
      await expectCode(store.put('cond/stream.txt', stream('two'), { ifMatch: '"0123"' }), 'PRECONDITION_FAILED');
      expect(await store.getText('cond/stream.txt')).toBe('one');
      await store.put('cond/stream.txt', stream('three'), { ifMatch: first.etag });
      expect(await store.getText('cond/stream.txt')).toBe('three');
    });

    it('8 concurrent writers x 50 updateJson increments end at exactly 400', async () => {
      const key = 'race/counter.json';
      let conflicts = 0;
      let worst = 0;
      await Promise.all(Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 50; i++) {
          const r = await store.updateJson<{ n: number }>(key, (cur) => ({ n: (cur?.n ?? 0) + 1 }));
          expect(r.written).toBe(true);
          conflicts += r.conflicts;
          worst = Math.max(worst, r.conflicts);
        }
      }));
      expect(await store.getJson(key)).toEqual({ n: 400 });
      console.log(`[${name}] 8 x 50 updateJson: ${conflicts} conflicts retried, at most ${worst} for one update (default retries: 50)`);
      expect(conflicts).toBeGreaterThan(0); // the writers really raced
    });

    it('updateJson with a known value uses it while its etag is stored, and reads when it is stale', async () => {
      const key = 'upd/known.json';
      const first = await store.updateJson<{ n: number }>(key, () => ({ n: 1 }));
      const known = { value: { n: 1 }, etag: first.etag! };
      let seen: unknown;
      const second = await store.updateJson<{ n: number }>(key, (cur) => { seen = cur; return { n: cur!.n + 1 }; }, { known });
      expect(seen).toBe(known.value);
      expect(second.value).toEqual({ n: 2 });
      // known is now stale (etag of n: 1): the update reads the stored n: 2
      const third = await store.updateJson<{ n: number }>(key, (cur) => { seen = cur; return { n: cur!.n + 1 }; }, { known });
      expect(seen).not.toBe(known.value);
      expect(third.value).toEqual({ n: 3 });
      expect(await store.getJson(key)).toEqual({ n: 3 });
    });

    it('updateJson writes nothing when fn returns undefined and propagates what fn throws', async () => {
      const key = 'upd/x.json';
      const created = await store.updateJson<number[]>(key, (cur) => {
        expect(cur).toBeNull();
        return [1];
      });
      expect(created).toMatchObject({ value: [1], written: true, conflicts: 0 });
      const none = await store.updateJson<number[]>(key, () => undefined);
      expect(none).toMatchObject({ value: [1], etag: created.etag, written: false });
      await expect(store.updateJson(key, () => { throw new Error('nope'); })).rejects.toThrow('nope');
      expect(await store.getJson(key)).toEqual([1]);
    });

    it('lists 1,001 keys page by page, with and without a delimiter', async () => {
      const direct = Array.from({ length: 1001 }, (_, i) => `pg/k${String(i).padStart(4, '0')}`);
      const nested = ['pg/n/a', 'pg/n/b', 'pg/n/c/d'];
      await pool([...direct, ...nested], 16, (k) => store.put(k, 'x'));
      await store.put('pgz/outside', 'x');

      const first = await store.list({ prefix: 'pg/' });
      expect(first.keys.length).toBe(1000);
      expect(first.cursor).toBeTruthy();
      const second = await store.list({ prefix: 'pg/', cursor: first.cursor! });
      expect(second.cursor).toBeUndefined();
      const all = [...first.keys, ...second.keys];
      expect(all).toEqual([...direct, ...nested].sort());

      const seenKeys: string[] = [];
      const seenPrefixes: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.list({ prefix: 'pg/', delimiter: '/', limit: 333, ...(cursor ? { cursor } : {}) });
        expect(page.keys.length + page.prefixes.length).toBeLessThanOrEqual(333);
        seenKeys.push(...page.keys);
        seenPrefixes.push(...page.prefixes);
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 20);
      expect(seenKeys).toEqual(direct);
      expect(seenPrefixes).toEqual(['pg/n/']);
      expect(pages).toBe(4);

      const top = await store.list({ prefix: 'pg', delimiter: '/' });
      expect(top.prefixes).toEqual(['pg/', 'pgz/']);
      await store.deleteMany([...direct, ...nested, 'pgz/outside']);
      expect((await store.list({ prefix: 'pg' })).keys).toEqual([]);
    });

    it('stores keys with @scope, %, spaces, unicode and punctuation exactly', async () => {
      const odd = [
        'odd/packages/@scope/pkg/manifest.json',
        'odd/100% sure.txt',
        'odd/with space/a b.json',
        'odd/ünïcödé/日本語-😀.json',
        'odd/a+b=c&d,e;f!~\'()*.txt',
        'odd/colon:x@1.0.0',
        'odd/#hash?q=1',
      ];
      for (const k of odd) await store.put(k, `v:${k}`);
      for (const k of odd) expect(await store.getText(k)).toBe(`v:${k}`);
      const listed = await store.list({ prefix: 'odd/' });
      expect([...listed.keys].sort()).toEqual([...odd].sort());
      const scoped = await store.list({ prefix: 'odd/packages/@scope/', delimiter: '/' });
      expect(scoped.prefixes).toEqual(['odd/packages/@scope/pkg/']);
      await store.deleteMany(odd);
    });

    it('rejects invalid keys with INVALID_KEY on every operation', async () => {
      const bad = ['', '/abs', 'a//b', 'a/../b', '..', './a', 'a/.', 'a\\b', 'a\u0000b', 'a\nb', 'a\u007fb', 'x'.repeat(1025), 'é'.repeat(513)];
      for (const k of bad) {
        await expectCode(store.put(k, 'x'), 'INVALID_KEY');
        await expectCode(store.get(k), 'INVALID_KEY');
        await expectCode(store.head(k), 'INVALID_KEY');
        await expectCode(store.getStream(k), 'INVALID_KEY');
        await expectCode(store.delete(k), 'INVALID_KEY');
        await expectCode(store.updateJson(k, () => 1), 'INVALID_KEY');
      }
      await expectCode(store.deleteMany(['ok/key', '../x']), 'INVALID_KEY');
      await expectCode(store.list({ prefix: '../' }), 'INVALID_KEY');
    });

    it('puts a stream of declared size and reads it back', async () => {
      const bytes = new TextEncoder().encode('x'.repeat(70_000));
      const put = await store.put('sized/s.bin', new Blob([bytes]).stream() as ReadableStream<Uint8Array>, { size: bytes.byteLength, ifNoneMatch: '*' });
      expect(put.etag).toBe((await store.head('sized/s.bin'))!.etag);
      expect((await store.get('sized/s.bin'))!.body).toEqual(bytes);
      await store.delete('sized/s.bin');
    });

    it('round-trips a 64 MiB object by stream with bounded memory', async () => {
      const size = 64 * MiB;
      const sent = createHash('sha256');
      gc();
      const before = await rss();
      let peak = before;
      const sampleRss = async () => {
        peak = Math.max(peak, await rss());
      };
      const sample = setInterval(() => void sampleRss().catch(() => {}), options.memory?.sampleMs ?? 5);
      try {
        const put = await store.put('big/blob.bin', bigStream(size, sent, gc), { contentType: 'application/octet-stream' });
        expect(put.etag).toBeTruthy();
        const streamed = await store.getStream('big/blob.bin');
        expect(streamed!.size).toBe(size);
        const received = createHash('sha256');
        let bytes = 0;
        for await (const chunk of streamed!.body as unknown as AsyncIterable<Uint8Array>) {
          received.update(chunk);
          bytes += chunk.byteLength;
          if (bytes % (8 * MiB) < chunk.byteLength) {
            gc();
            await sampleRss();
          }
        }
        expect(bytes).toBe(size);
        expect(received.digest('hex')).toBe(sent.digest('hex'));
      } finally {
        clearInterval(sample);
      }
      await sampleRss();
      const growth = (peak - before) / MiB;
      console.log(`[${name}] 64 MiB stream round trip: RSS growth ${growth.toFixed(1)} MiB`);
      if (options.boundedMemory !== false) expect(growth).toBeLessThan(48);
      await store.delete('big/blob.bin');
      expect(await store.head('big/blob.bin')).toBeNull();
    });
  });
}
