// Issue 9, must-show 3: ten rollbacks racing on one package through two server processes over one
// store (a folder, and a bucket on the local S3-protocol server), each to a different version, leave
// `latest` on one of them and exactly ten rollback events; the graph agrees on both replicas and the
// derived graph.json catches up with the manifest.
import { keys, type Store } from '@factorywager/r2-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, publish } from '../src/publish-doc.ts';
import type { RegistryProcess } from '../src/registry-process.ts';
import { startReplicas, type ReplicaPair } from '../src/replicas.ts';
import { checkStore } from '../src/store-check.ts';

const NAME = '@fw-race/rollback';
const TARGETS = Array.from({ length: 10 }, (_, i) => `1.${i}.0`);

async function race(replicas: RegistryProcess[], store: () => Store) {
  const token = await addUser(replicas[0]!.url, 'racer', 'race-password-123');
  for (const v of [...TARGETS, '1.10.0']) {
    const res = await publish(replicas[0]!.url, token, NAME, v);
    expect(res.status).toBe(201);
  }
  const answers = await Promise.all(TARGETS.map(async (version, i) => {
    const res = await fetch(`${replicas[i % replicas.length]!.url}/-/fw/rollback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ package: NAME, version, reason: `race ${i}` }),
    });
    return { status: res.status, body: (await res.json()) as { changed: boolean; to: string; error?: string } };
  }));
  expect(answers.map((a) => [a.status, a.body.changed, a.body.to])).toEqual(TARGETS.map((v) => [200, true, v]));

  const tags = await Promise.all(replicas.map(async (r) => (await (await fetch(`${r.url}/-/package/${NAME.replace('/', '%2f')}/dist-tags`)).json()) as Record<string, string>));
  const latest = tags[0]!.latest!;
  expect(TARGETS).toContain(latest);
  expect(tags.map((t) => t.latest)).toEqual(replicas.map(() => latest));

  for (const r of replicas) {
    const history = (await (await fetch(`${r.url}/-/fw/history?package=${encodeURIComponent(NAME)}&type=rollback`)).json()) as { events: Array<{ to: string; actor: string; reason: string }> };
    expect(history.events).toHaveLength(10);
    expect(history.events.map((e) => e.to).sort()).toEqual([...TARGETS].sort());
    expect(new Set(history.events.map((e) => e.reason)).size).toBe(10);
    expect(history.events.every((e) => e.actor === 'racer')).toBe(true);
    const graph = (await (await fetch(`${r.url}/-/fw/graph/${NAME}`)).json()) as { current: string };
    expect(graph.current).toBe(latest);
  }

  const s = store();
  try {
    const manifest = (await s.getJson<{ _rev: string }>(keys.manifest(NAME)))!;
    expect((await s.getJson<{ rev: string; current: string }>(keys.versionGraph(NAME)))).toMatchObject({ rev: manifest._rev, current: latest });
    expect((await checkStore(s)).problems).toEqual([]);
  } finally {
    await s.close?.();
  }
}

describe('ten racing rollbacks through two server processes over one fs store', () => {
  let pair: ReplicaPair;
  beforeAll(async () => {
    pair = await startReplicas();
  });
  afterAll(() => pair?.stop());

  it('leave latest on one of the ten versions and exactly ten rollback events', async () => {
    await race([pair.a, pair.b], pair.store);
  });
});

describe('ten racing rollbacks through two server processes over one bucket on the local S3-protocol server', () => {
  let pair: ReplicaPair;
  beforeAll(async () => {
    pair = await startReplicas({ s3Bucket: 'fw-rollback-race' });
  });
  afterAll(() => pair?.stop());

  it('leave latest on one of the ten versions and exactly ten rollback events', async () => {
    await race([pair.a, pair.b], pair.store);
  });
});
