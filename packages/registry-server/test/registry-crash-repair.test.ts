import { describe, expect, it } from 'vitest';
import { keys } from '@factorywager/r2-store';
import { journalKey, type JournalEntry, type PublishOwner } from '../src/packages/publish-journal.ts';
import { readHistory } from '../src/packages/history.ts';
import { memoryStore, publish, publishBody, setup, tarball } from './_helpers.ts';

/** An owner that knows which foreign writers are dead (as pids tell on one host). */
function owner(deadInstances: Set<string>): PublishOwner {
  return {
    instance: 'this-instance',
    alive: (entry, inflight) => (entry.instance === 'this-instance' ? inflight.has(journalKey(entry.name, entry.version)) : !deadInstances.has(entry.instance)),
  };
}

const entryOf = (name: string, version: string, integrity: string, instance: string): JournalEntry => ({
  name, version, integrity, instance, started: new Date().toISOString(), before: {},
  record: { name, version, publisher: 'ana', time: new Date().toISOString(), integrity, shasum: 'x', size: 1 },
});

describe('publishes cut short by a killed server', () => {
  it('takes over the orphan tarball of a dead publish at once (no five-minute wait); a live one is a 409', async () => {
    const s = setup({ publishOwner: owner(new Set(['killed'])) });
    // a killed publish: its journal entry and a tarball of other bytes, no manifest entry
    const other = await tarball('pkg', '1.0.0', { description: 'the killed one' });
    await s.store.put(keys.tarball('pkg', 'pkg-1.0.0.tgz'), other);
    await s.store.putJson(journalKey('pkg', '1.0.0'), entryOf('pkg', '1.0.0', 'sha512-killed', 'killed'));
    const res = await s.call('PUT', '/pkg', { token: 'tok-ana', body: await publishBody('pkg', '1.0.0') });
    expect(res.status, await res.clone().text()).toBe(201);
    await s.handler.idle(); // the entry of a finished publish goes after the answer
    expect(await s.store.head(journalKey('pkg', '1.0.0'))).toBeNull();
    const served = await s.call('GET', '/pkg/-/pkg-1.0.0.tgz');
    expect(new Uint8Array(await served.arrayBuffer())).not.toEqual(other);

    // an orphan with no journal entry at all (its publish died before the entry, or was repaired)
    await s.store.put(keys.tarball('pkg', 'pkg-1.1.0.tgz'), other);
    await publish(s, 'pkg', '1.1.0');

    // a publish whose writer is alive elsewhere: refused, nothing touched
    await s.store.put(keys.tarball('pkg', 'pkg-1.2.0.tgz'), other);
    await s.store.putJson(journalKey('pkg', '1.2.0'), entryOf('pkg', '1.2.0', 'sha512-live', 'busy'));
    const busy = await s.call('PUT', '/pkg', { token: 'tok-ana', body: await publishBody('pkg', '1.2.0') });
    expect(busy.status).toBe(409);
    expect((await busy.json()).error).toMatch(/in progress/);
    expect((await s.store.get(keys.tarball('pkg', 'pkg-1.2.0.tgz')))!.body).toEqual(other);
  });

  it('a publish refused after its journal entry was written (at the manifest) leaves no entry behind', async () => {
    const s = setup({ config: { publicUrl: '', packages: [], uplinks: {}, limits: { maxDistTags: 1 } } });
    await publish(s, 'pkg', '1.0.0');
    const refused = await s.call('PUT', '/pkg', { token: 'tok-ana', body: await publishBody('pkg', '2.0.0', { tag: 'next' }) });
    expect(refused.status).toBe(400);
    expect((await s.store.list({ prefix: 'journal/' })).keys).toEqual([]);
    expect((await s.call('GET', '/pkg')).status).toBe(200);
  });

  it('repair fills the version record and history event of a committed version, and removes an abandoned orphan', async () => {
    const s = setup({ publishOwner: owner(new Set(['killed'])) });
    await publish(s, 'pkg', '1.0.0');
    // as if killed after the manifest write: no record, no history event, the journal entry left
    const doc = await (await s.call('GET', '/pkg')).json();
    const integrity = doc.versions['1.0.0'].dist.integrity as string;
    await s.store.delete(keys.versionRecord('pkg', '1.0.0'));
    for (const k of (await s.store.list({ prefix: keys.versionHistoryPrefix('pkg') })).keys) await s.store.delete(k);
    await s.store.putJson(journalKey('pkg', '1.0.0'), entryOf('pkg', '1.0.0', integrity, 'killed'));
    // killed before the manifest write: a journal entry and the tarball it wrote
    const orphan = await tarball('pkg', '3.0.0');
    const { createHash } = await import('node:crypto');
    await s.store.put(keys.tarball('pkg', 'pkg-3.0.0.tgz'), orphan);
    await s.store.putJson(journalKey('pkg', '3.0.0'), entryOf('pkg', '3.0.0', `sha512-${createHash('sha512').update(orphan).digest('base64')}`, 'killed'));
    // a publish still running elsewhere is left alone
    await s.store.putJson(journalKey('pkg', '4.0.0'), entryOf('pkg', '4.0.0', 'sha512-x', 'busy'));

    const notes = await s.handler.repair();
    expect(notes).toEqual([
      { name: 'pkg', version: '1.0.0', outcome: 'completed', wrote: ['version record', 'history event'] },
      { name: 'pkg', version: '3.0.0', outcome: 'abandoned', wrote: ['orphan tarball removed'] },
    ]);
    expect(await s.store.getJson(keys.versionRecord('pkg', '1.0.0'))).toMatchObject({ version: '1.0.0', integrity });
    expect((await readHistory(s.store, 'pkg'))?.events.filter((e) => e.type === 'publish').map((e) => e.version)).toEqual(['1.0.0']);
    expect(await s.store.head(keys.tarball('pkg', 'pkg-3.0.0.tgz'))).toBeNull();
    expect((await s.store.list({ prefix: 'journal/' })).keys).toEqual([journalKey('pkg', '4.0.0')]);
    // repairing again changes nothing
    expect(await s.handler.repair()).toEqual([]);
  });

  it('repair records the index entry of a committed version, which a server killed before its index write left out', async () => {
    const store = memoryStore();
    const s = setup({ store, publishOwner: owner(new Set(['killed'])) });
    await publish(s, 'listed', '1.0.0');
    await publish(s, 'cut-short', '1.0.0');
    expect((await (await s.call('GET', '/-/v1/search?text=cut-short')).json()).total).toBe(1);
    // as if killed after the manifest write: the index entry, the record, the event and the journal's removal never happened
    for (const k of (await store.list({ prefix: 'index/packages/' })).keys.filter((k) => !k.endsWith('meta.json'))) {
      await store.updateJson<{ entries: Record<string, unknown> }>(k, (cur) => {
        if (!cur || !cur.entries['cut-short']) return undefined;
        const { ['cut-short']: _gone, ...entries } = cur.entries;
        return { ...cur, entries };
      });
    }
    const doc = await store.getJson<{ versions: Record<string, { dist: { integrity: string } }> }>(keys.manifest('cut-short'));
    await store.delete(keys.versionRecord('cut-short', '1.0.0'));
    await store.putJson(journalKey('cut-short', '1.0.0'), entryOf('cut-short', '1.0.0', doc!.versions['1.0.0']!.dist.integrity, 'killed'));

    // the restarted server (a fresh handler over the same store) repairs before it answers
    const restarted = setup({ store, publishOwner: owner(new Set(['killed'])) });
    expect((await restarted.handler.repair()).map((n) => [n.name, n.outcome])).toEqual([['cut-short', 'completed']]);
    const found = await (await restarted.call('GET', '/-/v1/search?text=cut-short')).json();
    expect(found.objects.map((o: { package: { name: string } }) => o.package.name)).toEqual(['cut-short']);
  });
});
