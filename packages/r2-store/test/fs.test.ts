import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore, fsDriver } from '@factorywager/r2-store';
import { changeMap } from '../src/_fs-changes.ts';
import { testDriver } from './contract.ts';

testDriver('fs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'fw-store-fs-'));
  return { driver: fsDriver({ root }), cleanup: () => rm(root, { recursive: true, force: true }) };
}, { changeStamp: true });

// The same contract with every call through the thread pool, as over NFS (where reads are not made on the calling thread).
testDriver('fs (calls through the pool)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'fw-store-fs-pool-'));
  return { driver: fsDriver({ root, inlineCalls: false }), cleanup: () => rm(root, { recursive: true, force: true }) };
}, { changeStamp: true });

describe('fs driver specifics', () => {
  let root: string;
  beforeEach(async () => { root = await mkdtemp(join(tmpdir(), 'fw-store-fs-')); });
  afterEach(async () => { await rm(root, { recursive: true, force: true }); });

  it('lists with a delimiter from one folder level: its files, and the folders that hold a file somewhere below', async () => {
    const store = createStore({ driver: 'fs', root });
    await store.put('pg/a.json', 'x');
    await store.put('pg/deep/x/y.json', 'x');
    await store.put('pg/shallow/z.json', 'x');
    await mkdir(join(root, 'pg', 'empty', 'inner'), { recursive: true }); // left empty, as after a crash mid-delete
    const page = await store.list({ prefix: 'pg/', delimiter: '/' });
    expect(page.keys).toEqual(['pg/a.json']);
    expect(page.prefixes).toEqual(['pg/deep/', 'pg/shallow/']);
    expect((await store.list({ prefix: 'pg/d', delimiter: '/' })).prefixes).toEqual(['pg/deep/']);
    expect((await store.list({ prefix: '', delimiter: '/' })).prefixes).toEqual(['pg/']); // never the internal folder
  });

  it('has no change stamp for a folder that does not exist yet, creates nothing by reading, and has one after the first write', async () => {
    const fresh = join(root, 'not-yet', 'data');
    const store = createStore({ driver: 'fs', root: fresh });
    expect(store.changeStamp!('packages/p/manifest.json')).toBeUndefined();
    expect(await readdir(root)).toEqual([]);
    await store.putJson('packages/p/manifest.json', { v: 1 });
    const first = store.changeStamp!('packages/p/manifest.json');
    expect(typeof first).toBe('number');
    await store.putJson('packages/p/manifest.json', { v: 2 });
    expect(store.changeStamp!('packages/p/manifest.json')).not.toBe(first);
    expect(await readdir(join(fresh, '.fw-store', 'tmp'))).toEqual([]); // the map's temp file is gone
  });

  it('a process that sees the folder as remote (NFS) does not read the map but still stamps it, for a local reader', async () => {
    const remote = changeMap(root, () => false);
    const local = changeMap(root, () => true);
    const key = 'packages/p/manifest.json';
    expect(remote.read(key)).toBeUndefined();
    const seen = local.read(key);
    expect(typeof seen).toBe('number');
    remote.note(key);
    expect(local.read(key)).not.toBe(seen);
    expect(remote.read(key)).toBeUndefined();
  });

  it('rejects a key that collides with another key\'s folder, and the reserved folder, with INVALID_KEY', async () => {
    const store = createStore({ driver: 'fs', root });
    await store.put('a/b', 'x');
    await expect(store.put('a', 'y')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(store.put('a/b/c', 'y')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(store.put('.fw-store/tmp/x', 'y')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    expect(await store.getText('a/b')).toBe('x');
    expect(await store.get('a')).toBeNull();
    expect((await store.list()).keys).toEqual(['a/b']);
    await writeFile(join(root, '.fw-store', 'tmp', `${process.pid}-h-x`), 'half-written'); // a write in flight
    for (const prefix of ['.fw-store/', '.fw-store/locks/', '.fw']) expect(await store.list({ prefix })).toEqual({ keys: [], prefixes: [] });
    expect(await store.list({ prefix: '.f', delimiter: '/' })).toEqual({ keys: [], prefixes: [] });
  });

  it('writes object files under the root at the key path, exactly their bytes, and reads a plain file dropped there', async () => {
    const store = createStore({ driver: 'fs', root });
    await store.put('packages/@s/p/manifest.json', '{}');
    expect((await readFile(join(root, 'packages', '@s', 'p', 'manifest.json'))).toString()).toBe('{}');
    await mkdir(join(root, 'plain'), { recursive: true });
    await writeFile(join(root, 'plain', 'file.txt'), 'hand-made');
    const got = await store.get('plain/file.txt');
    expect(new TextDecoder().decode(got!.body)).toBe('hand-made');
    expect(got!.etag).toBe((await store.head('plain/file.txt'))!.etag);
    expect((await readdir(join(root, 'plain'))).sort()).toEqual(['.file.txt.fw-meta', 'file.txt']); // described once hashed
    await store.delete('packages/@s/p/manifest.json');
    expect((await readdir(root)).sort()).toEqual(['.fw-store', 'plain']); // empty folders pruned
  });
});
