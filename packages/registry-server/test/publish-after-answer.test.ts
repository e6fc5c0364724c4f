import { describe, expect, it } from 'vitest';
import { keys, memoryDriver, wrapStore, type ObjectStore } from '@factorywager/r2-store';
import { journalKey, type PublishOwner } from '../src/packages/publish-journal.ts';
import { esc, publishBody, setup } from './_helpers.ts';

/**
 * A memory store whose writes under `versions/` (version records, history events) wait until
 * `open()`, or fail from `fail()` on until `open()`.
 */
function gatedStore() {
  const inner = memoryDriver();
  let release!: () => void;
  let refuse!: (err: Error) => void;
  const gate = new Promise<void>((ok, no) => { release = ok; refuse = no; });
  gate.catch(() => {});
  let mode: 'hold' | 'fail' | 'pass' = 'hold';
  let held = 0;
  const driver: ObjectStore = {
    ...inner,
    async put(key, body, opts) {
      if (key.startsWith('versions/') && mode !== 'pass') {
        held++;
        if (mode === 'fail') throw new Error('disk full');
        await gate;
      }
      return inner.put(key, body, opts);
    },
  };
  const open = () => { mode = 'pass'; release(); };
  const fail = () => { mode = 'fail'; refuse(new Error('disk full')); };
  return { store: wrapStore(driver), open, fail, held: () => held };
}

/** An owner called `instance`: its own publishes are alive while in flight, every other writer is gone. */
const ownerCalled = (instance: string): PublishOwner => ({
  instance,
  alive: (entry, inflight) => entry.instance === instance && inflight.has(journalKey(entry.name, entry.version)),
});

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('a publish answered at its manifest write', () => {
  it('answers before the version record and history event are written, and readers on the same server wait for them', async () => {
    const g = gatedStore();
    const s = setup({ store: g.store });
    const res = await s.call('PUT', '/pkg', { token: 'tok-ana', body: await publishBody('pkg', '1.0.0') });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(g.held()).toBeGreaterThan(0); // the answer came while the record and the event were held back
    expect(await g.store.head(keys.versionRecord('pkg', '1.0.0'))).toBeNull();
    expect(await g.store.head(journalKey('pkg', '1.0.0'))).not.toBeNull(); // the entry stays until they are written
    expect((await s.call('GET', '/pkg')).status).toBe(200); // the version is published

    let history: Response | undefined;
    let search: Response | undefined;
    const historyRead = s.call('GET', `/-/fw/history?package=${esc('pkg')}&type=publish`).then((r) => { history = r; });
    const searchRead = s.call('GET', '/-/v1/search?text=pkg').then((r) => { search = r; });
    await settle();
    expect(history).toBeUndefined(); // waiting for the event
    expect(search).toBeUndefined(); // waiting for the index entry's publish
    g.open();
    await Promise.all([historyRead, searchRead]);
    expect(history!.status).toBe(200);
    expect(((await history!.json()) as { events: Array<{ version: string }> }).events.map((e) => e.version)).toEqual(['1.0.0']);
    expect(((await search!.json()) as { objects: Array<{ package: { name: string } }> }).objects.map((o) => o.package.name)).toEqual(['pkg']);
    await s.handler.idle();
    expect(await g.store.head(keys.versionRecord('pkg', '1.0.0'))).not.toBeNull();
    expect(await g.store.head(journalKey('pkg', '1.0.0'))).toBeNull();
  });

  it('a record that cannot be written after the answer leaves the journal entry, and the repair writes it', async () => {
    const g = gatedStore();
    const s = setup({ store: g.store, publishOwner: ownerCalled('first') });
    const res = await s.call('PUT', '/pkg', { token: 'tok-ana', body: await publishBody('pkg', '1.0.0') });
    expect(res.status).toBe(201);
    g.fail(); // the held writes fail
    await s.handler.idle();
    expect(await g.store.head(keys.versionRecord('pkg', '1.0.0'))).toBeNull();
    expect(await g.store.head(journalKey('pkg', '1.0.0'))).not.toBeNull();

    // the next start over the same store (the writer is gone): the repair completes the publish
    g.open();
    const again = setup({ store: g.store, publishOwner: ownerCalled('second') });
    const notes = await again.handler.repair();
    expect(notes.map((n) => [n.name, n.version, n.outcome])).toEqual([['pkg', '1.0.0', 'completed']]);
    expect(await g.store.head(keys.versionRecord('pkg', '1.0.0'))).not.toBeNull();
    expect(await g.store.head(journalKey('pkg', '1.0.0'))).toBeNull();
  });
  it('a repair while a publish is still writing after its answer leaves it alone; once its writes failed, a repair of the same server finishes it', async () => {
    const g = gatedStore();
    const s = setup({ store: g.store });
    expect((await s.call('PUT', '/pkg', { token: 'tok-ana', body: await publishBody('pkg', '1.0.0') })).status).toBe(201);
    expect(await s.handler.repair()).toEqual([]); // in flight: not taken over
    expect(await g.store.head(journalKey('pkg', '1.0.0'))).not.toBeNull();
    g.fail();
    await s.handler.idle();
    expect(await g.store.head(keys.versionRecord('pkg', '1.0.0'))).toBeNull();
    g.open();
    const notes = await s.handler.repair(); // what the server runs every minute
    expect(notes.map((n) => [n.name, n.version, n.outcome])).toEqual([['pkg', '1.0.0', 'completed']]);
    expect(await g.store.head(keys.versionRecord('pkg', '1.0.0'))).not.toBeNull();
    expect(await g.store.head(journalKey('pkg', '1.0.0'))).toBeNull();
    const history = await s.call('GET', `/-/fw/history?package=${esc('pkg')}&type=publish`);
    expect(((await history.json()) as { events: Array<{ version: string }> }).events.map((e) => e.version)).toEqual(['1.0.0']);
  });
});
