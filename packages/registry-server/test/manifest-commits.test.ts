import { describe, expect, it } from 'vitest';
import { keys, memoryDriver, wrapStore, type ObjectStore } from '@factorywager/r2-store';
import { Coalescer, ManifestCommits, type StoredManifest } from '../src/packages/manifest-commits.ts';
import type { Packument } from '../src/packages/packument.ts';
import { esc, memoryStore, publishBody, setup } from './_helpers.ts';

const NAME = 'grouped';
const KEY = keys.manifest(NAME);

/** A memory store whose manifest puts wait for `release()` while `hold` is on; counts them. */
function gatedStore() {
  const driver = memoryDriver();
  const gate = { hold: false, waiting: [] as Array<() => void>, puts: 0, failNext: false };
  const gated: ObjectStore = {
    ...driver,
    async put(key, body, options) {
      if (key === KEY) {
        gate.puts++;
        if (gate.hold) await new Promise<void>((resolve) => gate.waiting.push(resolve));
        if (gate.failNext) {
          gate.failNext = false;
          throw new Error('disk full');
        }
      }
      return driver.put(key, body, options);
    },
  };
  const release = () => { gate.hold = false; for (const r of gate.waiting.splice(0)) r(); };
  return { store: wrapStore(gated), gate, release };
}

const addVersion = (v: string) => (doc: Packument | null): Packument => {
  if (doc?.versions[v]) throw new Error(`${v} exists`);
  const base: Packument = doc ?? { _id: NAME, _rev: '0-a', name: NAME, 'dist-tags': {}, versions: {}, time: {}, maintainers: [] };
  return { ...base, _rev: `${Number.parseInt(base._rev, 10) + 1}-a`, versions: { ...base.versions, [v]: { name: NAME, version: v } as never }, 'dist-tags': { ...base['dist-tags'], latest: v } };
};

function commitsOver(store: ReturnType<typeof gatedStore>['store']) {
  const derived: Array<string[]> = [];
  const background: string[] = [];
  const commits = new ManifestCommits(store, {
    current: async () => {
      const got = await store.getJsonWithEtag<Packument>(KEY);
      return got ? ({ doc: got.value, etag: got.etag } satisfies StoredManifest) : null;
    },
    written: () => {},
    derive: async (_name, doc) => { derived.push(Object.keys(doc?.versions ?? {})); },
    background: async (_name, doc) => { background.push(doc!._rev); },
  });
  return { commits, derived, background };
}

describe('ManifestCommits: group commit of one package', () => {
  it('changes queued behind a write in flight go out together in one write; each caller gets the document holding its change', async () => {
    const { store, gate, release } = gatedStore();
    const { commits, derived } = commitsOver(store);
    gate.hold = true;
    const first = commits.commit(NAME, addVersion('1.0.0'));
    await new Promise((r) => setTimeout(r, 5));
    const queued = ['1.1.0', '1.2.0', '1.3.0'].map((v) => commits.commit(NAME, addVersion(v)));
    await new Promise((r) => setTimeout(r, 5));
    release();
    const answers = await Promise.all([first, ...queued]);
    // one write for the first change, one for the three queued behind it
    expect(gate.puts).toBe(2);
    expect(Object.keys(answers[0]!.value!.versions)).toEqual(['1.0.0']);
    for (const [i, v] of ['1.1.0', '1.2.0', '1.3.0'].entries()) expect(answers[i + 1]!.value!.versions[v]).toBeDefined();
    expect(answers[3]!.value!._rev).toBe('4-a');
    expect(Object.keys((await store.getJson<Packument>(KEY))!.versions).sort()).toEqual(['1.0.0', '1.1.0', '1.2.0', '1.3.0']);
    await Promise.all(answers.map((a) => a.derived));
    expect(derived.at(-1)!.sort()).toEqual(['1.0.0', '1.1.0', '1.2.0', '1.3.0']);
  });

  it('a change that throws fails only its own caller: the others in its group are written', async () => {
    const { store, gate, release } = gatedStore();
    const { commits } = commitsOver(store);
    await commits.commit(NAME, addVersion('1.0.0'));
    gate.hold = true;
    const inflight = commits.commit(NAME, addVersion('2.0.0'));
    await new Promise((r) => setTimeout(r, 5));
    const group = [commits.commit(NAME, addVersion('2.1.0')), commits.commit(NAME, addVersion('1.0.0')), commits.commit(NAME, addVersion('2.2.0'))];
    release();
    const settled = await Promise.allSettled([inflight, ...group]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((settled[2] as PromiseRejectedResult).reason)).toMatch(/1\.0\.0 exists/);
    expect(Object.keys((await store.getJson<Packument>(KEY))!.versions).sort()).toEqual(['1.0.0', '2.0.0', '2.1.0', '2.2.0']);
  });

  it('a failed write fails the changes it carried, and the changes queued after it are written', async () => {
    const { store, gate, release } = gatedStore();
    const { commits } = commitsOver(store);
    gate.hold = true;
    gate.failNext = true;
    const failing = commits.commit(NAME, addVersion('1.0.0'));
    await new Promise((r) => setTimeout(r, 5));
    const after = commits.commit(NAME, addVersion('1.1.0'));
    release();
    await expect(failing).rejects.toThrow(/disk full/);
    expect(Object.keys((await after).value!.versions)).toEqual(['1.1.0']);
  });

  it('without sharing (Workers) every change is its own write', async () => {
    const { store, gate, release } = gatedStore();
    const { commits } = commitsOver(store);
    commits.share = false;
    gate.hold = true;
    const all = ['1.0.0', '1.1.0', '1.2.0'].map((v) => commits.commit(NAME, addVersion(v)));
    await new Promise((r) => setTimeout(r, 5));
    release();
    await Promise.all(all);
    // three writes, each retried on its lost check-and-set: every version still lands
    expect(gate.puts).toBeGreaterThanOrEqual(3);
    expect(Object.keys((await store.getJson<Packument>(KEY))!.versions).sort()).toEqual(['1.0.0', '1.1.0', '1.2.0']);
  });
});

describe('Coalescer', () => {
  it('runs the newest value waiting, answers everyone who waited, and keeps a gap between runs that settled() skips', async () => {
    const ran: number[] = [];
    let unblock: () => void = () => {};
    const c = new Coalescer<number>(async (_k, v) => {
      ran.push(v);
      if (v === 1) await new Promise<void>((r) => (unblock = r));
    }, 60_000);
    const one = c.run('k', 1);
    const rest = [2, 3, 4].map((v) => c.run('k', v));
    await new Promise((r) => setTimeout(r, 5));
    unblock();
    await one;
    expect(ran).toEqual([1]);
    // 2, 3 and 4 wait for the gap after the first run; settled() ends it: only 4 runs
    await c.settled();
    await Promise.all(rest);
    expect(ran).toEqual([1, 4]);
  });

  it('with leadOf, runs a burst once, for its newest value, after the lead; settled() ends a lead', async () => {
    const ran: number[] = [];
    const c = new Coalescer<number>(async (_k, v) => { ran.push(v); }, 10, 0, (v) => (v >= 100 ? 60_000 : 0));
    const burst = [100, 101, 102].map((v) => c.run('big', v));
    await c.run('small', 1); // no lead: runs at once
    expect(ran).toEqual([1]);
    await new Promise((r) => setTimeout(r, 20));
    expect(ran).toEqual([1]); // 'big' still waits out its lead
    await c.settled();
    await Promise.all(burst);
    expect(ran).toEqual([1, 102]);
  });

  it('makes the gap after a slow run perWork times as long as the run took', async () => {
    const ran: Array<{ v: number; at: number }> = [];
    const c = new Coalescer<number>(async (_k, v) => {
      ran.push({ v, at: performance.now() });
      if (v === 1) await new Promise((r) => setTimeout(r, 100)); // a slow run: a gap of at least 1 s, not 10 ms
    }, 10, 10);
    await c.run('k', 1);
    const second = c.run('k', 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(ran.map((r) => r.v)).toEqual([1]); // still in the gap: a fixed 10 ms one would have ended
    await second;
    expect(ran.map((r) => r.v)).toEqual([1, 2]);
    expect(ran[1]!.at - ran[0]!.at).toBeGreaterThanOrEqual(100 + 990);
  });
});

describe('parallel publishes of one package through the handler', () => {
  it('all land with a 201 and a revision, a duplicate among them fails alone, and each leaves its version record and no journal entry', async () => {
    const s = setup({ store: memoryStore() });
    expect((await s.call('PUT', `/${esc('@acme/many')}`, { token: 'tok-ana', body: await publishBody('@acme/many', '0.1.0') })).status).toBe(201);
    const versions = Array.from({ length: 12 }, (_, i) => `1.${i}.0`);
    const bodies = await Promise.all([...versions, '0.1.0'].map((v) => publishBody('@acme/many', v)));
    const answers = await Promise.all(bodies.map(async (body) => {
      const res = await s.call('PUT', `/${esc('@acme/many')}`, { token: 'tok-ana', body });
      return { status: res.status, body: (await res.json()) as { rev?: string; error?: string } };
    }));
    expect(answers.slice(0, 12).map((a) => a.status)).toEqual(versions.map(() => 201));
    expect(answers[12]!.status).toBe(403);
    expect(answers[12]!.body.error).toMatch(/previously published version @acme\/many@0\.1\.0/);
    const doc = await (await s.call('GET', `/${esc('@acme/many')}`)).json();
    expect(Object.keys(doc.versions).sort()).toEqual(['0.1.0', ...versions].sort());
    for (const a of answers.slice(0, 12)) expect(Number.parseInt(a.body.rev!, 10)).toBeGreaterThan(1);
    expect(Math.max(...answers.slice(0, 12).map((a) => Number.parseInt(a.body.rev!, 10)))).toBe(Number.parseInt(doc._rev, 10));
    await s.handler.idle();
    const records = await Promise.all(versions.map((v) => s.store.head(keys.versionRecord('@acme/many', v))));
    expect(records.every(Boolean)).toBe(true);
    expect((await s.store.list({ prefix: 'journal/' })).keys).toEqual([]);
  });
});
