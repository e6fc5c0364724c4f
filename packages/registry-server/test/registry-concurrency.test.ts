import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore, keys, memoryDriver, StoreError, wrapStore, type ObjectStore } from '@factorywager/r2-store';
import { readHistory } from '../src/index.ts';
import { esc, publishBody, setup, tarball } from './_helpers.ts';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

describe('concurrent writers over one store', () => {
  it('two handlers over one fs store: 4 clients x 10 versions of one package all land, each tarball matching its integrity', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fw-registry-conc-'));
    dirs.push(root);
    const a = setup({ store: createStore({ driver: 'fs', root }) });
    const b = setup({ store: createStore({ driver: 'fs', root }) });
    const name = '@acme/busy';
    const clients = [0, 1, 2, 3].map(async (client) => {
      for (let i = 0; i < 10; i++) {
        const replica = (client + i) % 2 ? a : b;
        const res = await replica.call('PUT', `/${esc(name)}`, { token: 'tok-ana', body: await publishBody(name, `${client + 1}.${i}.0`) });
        expect(res.status, await res.clone().text()).toBe(201);
      }
    });
    // Tags and reads race with the publishes too.
    const readers = [a, b].map(async (s) => {
      for (let i = 0; i < 10; i++) await s.call('GET', `/${esc(name)}`).then((r) => r.arrayBuffer());
    });
    await Promise.all([...clients, ...readers]);

    for (const s of [a, b]) {
      const doc = await (await s.call('GET', `/${esc(name)}`)).json();
      expect(Object.keys(doc.versions)).toHaveLength(40);
      for (const [v, manifest] of Object.entries<{ dist: { integrity: string } }>(doc.versions)) {
        const tgz = await s.store.get(keys.tarball(name, `busy-${v}.tgz`));
        expect(tgz, v).not.toBeNull();
        expect(`sha512-${createHash('sha512').update(tgz!.body).digest('base64')}`).toBe(manifest.dist.integrity);
      }
    }
    // read from the store itself: once what each handler writes after its answers is written
    await Promise.all([a.handler.idle(), b.handler.idle()]);
    const history = await readHistory(a.store, name);
    expect(history!.events.filter((e) => e.type === 'publish')).toHaveLength(40);
  });

  it('the same version published twice at once: one 201, the other 403 (or 409 while the first is in flight), the winner\'s tarball kept', async () => {
    const s = setup();
    const [x, y] = await Promise.all(['one', 'two'].map(async (flavour) => {
      const tgz = await tarball('twin', '1.0.0', { flavour });
      return s.call('PUT', '/twin', { token: 'tok-ana', body: await publishBody('twin', '1.0.0', { tgz }) });
    }));
    const statuses = [x!.status, y!.status].sort();
    expect(statuses[0]).toBe(201);
    expect([403, 409]).toContain(statuses[1]);
    const doc = await (await s.call('GET', '/twin')).json();
    const tgz = await s.store.get(keys.tarball('twin', 'twin-1.0.0.tgz'));
    expect(`sha512-${createHash('sha512').update(tgz!.body).digest('base64')}`).toBe(doc.versions['1.0.0'].dist.integrity);
  });
  it('a second publish of a version while the first\'s journal answer is still on its way is refused, and the tarball stays the first\'s', async () => {
    const inner = memoryDriver();
    let journalPuts = 0;
    const driver: ObjectStore = {
      ...inner,
      async put(key, body, opts) {
        if (key.endsWith('.tgz') && opts?.ifMatch) await new Promise((r) => setTimeout(r, 100)); // a slow replacing upload
        const out = await inner.put(key, body, opts);
        // the first journal write is in the store 60 ms before its answer arrives (latency)
        if (key.startsWith('journal/') && journalPuts++ === 0) await new Promise((r) => setTimeout(r, 60));
        return out;
      },
    };
    const s = setup({ store: wrapStore(driver) });
    const a = await publishBody('twice', '1.0.0', { tgz: await tarball('twice', '1.0.0', {}, { 'a.txt': 'A' }) });
    const b = await publishBody('twice', '1.0.0', { tgz: await tarball('twice', '1.0.0', {}, { 'b.txt': 'B' }) });
    const first = s.call('PUT', '/twice', { token: 'tok-ana', body: a });
    await new Promise((r) => setTimeout(r, 10)); // a retry or a second CI run, 10 ms later
    const second = s.call('PUT', '/twice', { token: 'tok-ana', body: b });
    const [x, y] = await Promise.all([first, second]);
    expect(x.status, await x.clone().text()).toBe(201);
    expect(y.status).toBe(409);
    await s.handler.idle();
    const doc = await s.store.getJson<{ versions: Record<string, { dist: { integrity: string } }> }>(keys.manifest('twice'));
    const tgz = await s.store.get(keys.tarball('twice', 'twice-1.0.0.tgz'));
    expect(`sha512-${createHash('sha512').update(tgz!.body).digest('base64')}`).toBe(doc!.versions['1.0.0']!.dist.integrity);
    expect(await s.store.head('journal/publish/twice/1.0.0.json')).toBeNull();
  });
  it('a tarball write that fails while the journal entry is still being written fails the publish alone (no unhandled rejection), leaving no entry', async () => {
    const inner = memoryDriver();
    const driver: ObjectStore = {
      ...inner,
      async put(key, body, opts) {
        if (key.endsWith('.tgz')) throw new StoreError('UNAVAILABLE', 'slow down');
        if (key.startsWith('journal/')) await new Promise((r) => setTimeout(r, 50));
        return inner.put(key, body, opts);
      },
    };
    const s = setup({ store: wrapStore(driver) });
    const res = await s.call('PUT', '/flaky', { token: 'tok-ana', body: await publishBody('flaky', '1.0.0') });
    expect(res.status).toBeGreaterThanOrEqual(500); // the store's UNAVAILABLE, as a JSON error
    expect((await res.json()).error).toBeTruthy();
    await new Promise((r) => setTimeout(r, 20)); // an unhandled rejection would be reported by now
    await s.handler.idle();
    expect(await s.store.head('journal/publish/flaky/1.0.0.json')).toBeNull();
    expect((await s.call('GET', '/flaky')).status).toBe(404);
  });
});
