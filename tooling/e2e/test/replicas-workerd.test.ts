import { createHash } from 'node:crypto';
import { keys, r2Driver, wrapStore, type R2BucketLike, type Store } from '@factorywager/r2-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, publish } from '../src/publish-doc.ts';
import { startWorkerdRegistries, type WorkerdRegistries } from '../src/workerd-registry.ts';

const NAME = '@fw-load/workers';
const CLIENTS = 4;
const VERSIONS_EACH = 25;

// Two Worker instances (two isolates, no memory shared: each has its own packument cache and
// limiter) over one bucket of miniflare's R2 simulator, which applies onlyIf atomically as R2 does.
describe('two registry Workers in workerd over one R2 bucket', () => {
  let registries: WorkerdRegistries;
  let store: Store;
  beforeAll(async () => {
    registries = await startWorkerdRegistries({ replicas: 2 });
    // the test reads the bucket through the same r2 driver, over miniflare's proxy of the binding
    const bucket = await registries.workers.miniflare.getR2Bucket('REGISTRY_BUCKET', 'registry-0');
    store = wrapStore(r2Driver(bucket as unknown as R2BucketLike));
  });
  afterAll(async () => {
    await registries?.stop();
  });

  it('4 clients x 25 versions through both: 100/100 versions, tarballs match, one publish event each', async () => {
    const [a, b] = registries.urls as [string, string];
    const token = await addUser(a, 'loader', 'load-test-password');
    const failures: string[] = [];
    await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; i < VERSIONS_EACH; i++) {
        const target = (c + i) % 2 === 0 ? a : b;
        const version = `${c + 1}.${i}.0`;
        const res = await publish(target, token, NAME, version);
        if (res.status !== 201) failures.push(`${version} via ${target}: ${res.status} ${await res.text()}`);
      }
    }));
    expect(failures).toEqual([]);

    // both replicas list every version; every tarball is fetched (through b) and checked
    let verified = 0;
    for (const url of [a, b]) {
      const doc = (await (await fetch(`${url}/${NAME.replace('/', '%2f')}`)).json()) as {
        versions: Record<string, { dist: { tarball: string; integrity: string } }>;
      };
      expect(Object.keys(doc.versions)).toHaveLength(CLIENTS * VERSIONS_EACH);
      if (url !== b) continue;
      for (const meta of Object.values(doc.versions)) {
        const res = await fetch(meta.dist.tarball.replace(a, b));
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (res.ok && `sha512-${createHash('sha512').update(bytes).digest('base64')}` === meta.dist.integrity) verified++;
      }
    }
    expect(verified).toBe(CLIENTS * VERSIONS_EACH);

    const history = (await (await fetch(`${b}/-/fw/history?package=${encodeURIComponent(NAME)}&type=publish`)).json()) as { events: Array<{ type: string; version: string }> };
    const published = history.events.map((e) => e.version);
    expect(published).toHaveLength(CLIENTS * VERSIONS_EACH);
    expect(new Set(published).size).toBe(CLIENTS * VERSIONS_EACH);
    // one new object per publish: no shared history object was rewritten
    expect((await store.list({ prefix: keys.versionHistoryPrefix(NAME) })).keys).toHaveLength(CLIENTS * VERSIONS_EACH);
    expect(await store.head(keys.versionHistory(NAME))).toBeNull();
  });
});
