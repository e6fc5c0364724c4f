// Concurrent load on the registry Worker in workerd. Within one isolate a request must never wait on
// I/O another request started: workerd then answers 500 "Cannot perform I/O on behalf of a different
// request", or cancels the waiting request as hung once the other one ends. wrk (50 connections, its
// own process) mixes every kind of read (packuments full/abbreviated/gzip, tarballs, search, web
// pages, token and Basic authenticated reads, uplink packuments and tarballs, the package list) with
// first reads of cold packages brought in one after another, on a replica whose caches, package index
// and signing key (kept in the bucket) all start cold, while new versions are published through the
// other replica.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, publish } from '../src/publish-doc.ts';
import { startUpstream, type TestUpstream } from '../src/upstream.ts';
import { startWorkerdRegistries, type WorkerdRegistries } from '../src/workerd-registry.ts';
import { wrkLoad, type LoadRequest } from '../src/wrk-load.ts';

const HOT = 'fw-load-hot';
const COLD = Array.from({ length: 16 }, (_, i) => `fw-load-cold-${i}`);
const UPSTREAM = Array.from({ length: 4 }, (_, i) => `fw-load-up-${i}`);
const HELD = 'fw-load-held';
const ABBREVIATED = { accept: 'application/vnd.npm.install-v1+json' };

describe('the registry Worker in workerd under concurrent load', () => {
  let upstream: TestUpstream;
  let registries: WorkerdRegistries;
  let token: string;
  beforeAll(async () => {
    upstream = await startUpstream();
    for (const name of [...UPSTREAM, HELD]) await upstream.publish(name, '1.0.0');
    // no REGISTRY_SECRET: the signing key is made once and kept in the bucket, read by each isolate
    registries = await startWorkerdRegistries({ replicas: 2, upstream: upstream.url, bindings: { REGISTRY_SECRET: '' } });
    const seeder = registries.urls[0]!;
    token = await addUser(seeder, 'loader', 'load-test-password');
    // 40 versions: a packument of some 25 kB, sent in several writes
    for (let i = 0; i < 40; i++) expect((await publish(seeder, token, HOT, `1.${Math.floor(i / 10)}.${i % 10}`)).status).toBe(201);
    for (const name of COLD) expect((await publish(seeder, token, name, '1.0.0')).status).toBe(201);
  }, 240_000);
  afterAll(async () => {
    await registries?.stop();
    await upstream?.stop();
  });

  it('wrk, 50 connections, 10 s of cold and warm reads of every kind with publishes: zero 5xx, zero hung', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const warm: LoadRequest[] = [
      { path: `/${HOT}` },
      { path: `/${HOT}`, headers: ABBREVIATED },
      { path: `/${HOT}`, headers: { 'accept-encoding': 'gzip' } },
      { path: `/${HOT}/-/${HOT}-1.0.0.tgz` },
      { path: '/-/v1/search?text=fw-load' },
      { path: '/', headers: { accept: 'text/html' } },
      { path: `/package/${HOT}`, headers: { accept: 'text/html' } },
      { path: `/${HOT}`, headers: auth },
      { path: '/-/whoami', headers: auth },
      { path: `/${HOT}`, headers: { authorization: `Basic ${btoa('loader:load-test-password')}` } },
      { path: '/-/fw/packages' },
      ...UPSTREAM.flatMap((name) => [{ path: `/${name}` }, { path: `/${name}/-/${name}-1.0.0.tgz` }]),
    ];
    // first reads through this isolate, each of them by many connections at once
    const cold: LoadRequest[] = COLD.flatMap((name, i) => [
      { path: `/${name}`, ...(i % 2 ? { headers: ABBREVIATED } : {}) },
      ...(i % 4 === 0 ? [{ path: `/package/${name}`, headers: { accept: 'text/html' } }] : []),
    ]);
    let loading = true;
    let published = 0;
    const writer = (async () => {
      // new versions of the hot package meanwhile: the cold isolate's cached packument goes stale in turn
      while (loading) {
        const res = await publish(registries.urls[0]!, token, HOT, `2.0.${published}`);
        expect(res.status, await res.text()).toBe(201);
        published++;
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    // coldSpan 10: two first reads of each cold package among the 50 connections at once, and every
    // cold one is reached after 10 x cold.length requests (well under what a loaded machine serves in 10 s)
    const result = await wrkLoad(registries.urls[1]!, { warm, cold, coldSpan: 10, seconds: 10, connections: 50, timeoutSeconds: 30 })
      .finally(() => (loading = false));
    await writer;

    // every cold request was sent (a coverage check, not a throughput target)
    expect(result.requests, result.report).toBeGreaterThan(cold.length * 10);
    expect(result.non2xx, result.report).toBe(0);
    expect(result.socketErrors, result.report).toBe(0);
    expect(published).toBeGreaterThan(3);
    // the packument served at the end has every version published meanwhile
    const doc = await (await fetch(`${registries.urls[1]}/${HOT}`)).json() as { versions: Record<string, unknown> };
    expect(Object.keys(doc.versions)).toHaveLength(40 + published);
  }, 300_000);

  it('20 requests while another request for the same uplink packument is in flight and then cancelled by its client: all answer 200, none hung', async () => {
    // The upstream holds each packument request for 1.5 s. The first request gives up after 0.3 s
    // (its client disconnects, so workerd cancels it with its I/O); the others arrive while its fetch
    // is in flight. Joining that fetch, they would wait on I/O of a cancelled request: hung.
    upstream.packumentDelayMs = 1500;
    try {
      const url = `${registries.urls[1]}/${HELD}`;
      const first = fetch(url, { signal: AbortSignal.timeout(300) }).then((r) => r.status, (err: Error) => err.name);
      await new Promise((r) => setTimeout(r, 100));
      const others = await Promise.all(Array.from({ length: 20 }, () =>
        fetch(url, { signal: AbortSignal.timeout(20_000) }).then(async (r) => `${r.status} ${(await r.json() as { name?: string }).name}`, (err: Error) => err.name)));
      expect(await first).toBe('TimeoutError');
      expect(others).toEqual(Array.from({ length: 20 }, () => `200 ${HELD}`));
    } finally {
      upstream.packumentDelayMs = 0;
    }
  }, 60_000);
});
