// The fs driver's on-disk form: plain files with a metadata file beside each, the old trailer format
// read as it is and migrated (lazily on the next write, and at the first use of an unmigrated folder),
// and readers that never pair new bytes with old metadata.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore } from '@factorywager/r2-store';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const sha = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');
const etagOf = (b: string | Uint8Array) => `"${sha(b)}"`;

/** An object in the old format, written byte by byte as older versions of the driver did. */
async function writeOldFormat(root: string, key: string, body: string, extra: { contentType?: string; metadata?: Record<string, string> } = {}): Promise<string> {
  const bytes = Buffer.from(body);
  const trailer = Buffer.from(JSON.stringify({ etag: etagOf(bytes), size: bytes.length, ...extra }));
  const path = join(root, ...key.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, Buffer.concat([bytes, trailer, Buffer.from(trailer.length.toString(16).padStart(8, '0') + 'FWS1', 'latin1')]));
  return etagOf(bytes);
}

const sidecarPath = (root: string, key: string) => {
  const parts = key.split('/');
  const name = parts.pop()!;
  return join(root, ...parts, `.${name}.fw-meta`);
};
const readSidecar = async (root: string, key: string) => JSON.parse(await readFile(sidecarPath(root, key), 'utf8'));

let root: string;
const children: ChildProcess[] = [];
beforeEach(async () => { root = await mkdtemp(join(tmpdir(), 'fw-store-format-')); });
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
  await rm(`${root}-copy`, { recursive: true, force: true });
});

describe('fs driver on-disk form', () => {
  it('stores each object as exactly its bytes, with etag, size, content type and metadata in a sidecar that list never shows', async () => {
    const store = createStore({ driver: 'fs', root });
    const manifest = JSON.stringify({ name: 'p', versions: {} });
    const put = await store.put('packages/p/manifest.json', manifest, { contentType: 'application/json', metadata: { rev: '3-abc' } });
    const tgz = new Uint8Array(5000).map((_, i) => (i * 7) & 255);
    await store.put('packages/p/p-1.0.0.tgz', new Blob([tgz]).stream() as ReadableStream<Uint8Array>, { size: tgz.length });

    expect(await readFile(join(root, 'packages/p/manifest.json'), 'utf8')).toBe(manifest);
    expect(new Uint8Array(await readFile(join(root, 'packages/p/p-1.0.0.tgz')))).toEqual(tgz);
    const side = await readSidecar(root, 'packages/p/manifest.json');
    expect(side).toMatchObject({ format: 2, key: 'packages/p/manifest.json', cur: { etag: put.etag, size: manifest.length, contentType: 'application/json', metadata: { rev: '3-abc' } } });
    expect(side.cur.etag).toBe(etagOf(manifest));
    expect(side.cur.file.ino).toBe(String((await stat(join(root, 'packages/p/manifest.json'))).ino));
    expect((await readSidecar(root, 'packages/p/p-1.0.0.tgz')).cur.etag).toBe(etagOf(tgz));

    expect((await readdir(join(root, 'packages/p'))).sort()).toEqual(['.manifest.json.fw-meta', '.p-1.0.0.tgz.fw-meta', 'manifest.json', 'p-1.0.0.tgz']);
    expect((await store.list()).keys).toEqual(['packages/p/manifest.json', 'packages/p/p-1.0.0.tgz']);
    expect(await store.list({ prefix: 'packages/p/', delimiter: '/' })).toEqual({ keys: ['packages/p/manifest.json', 'packages/p/p-1.0.0.tgz'], prefixes: [] });
    expect((await store.list({ prefix: 'packages/p/.m' })).keys).toEqual([]);
    for (const bad of ['packages/p/.manifest.json.fw-meta', 'a/.b.fw-meta/c']) {
      await expect(store.put(bad, 'x')).rejects.toMatchObject({ code: 'INVALID_KEY' });
      await expect(store.head(bad)).rejects.toMatchObject({ code: 'INVALID_KEY' });
    }

    await store.delete('packages/p/manifest.json');
    await store.delete('packages/p/p-1.0.0.tgz');
    expect(await readdir(root)).toEqual(['.fw-store']); // data and sidecars gone, folders pruned
  });

  it('reads an old-format (trailer) object as it is, and its next write rewrites it plain', async () => {
    const store = createStore({ driver: 'fs', root });
    await store.list(); // the folder is migrated (empty): an old-format object written later stays until its next write
    const etag = await writeOldFormat(root, 'packages/old/manifest.json', '{"name":"old"}', { contentType: 'application/json', metadata: { rev: '1-x' } });
    const expected = { key: 'packages/old/manifest.json', etag, size: 14, contentType: 'application/json', metadata: { rev: '1-x' } };
    expect(await store.head('packages/old/manifest.json')).toMatchObject(expected);
    expect(await store.getJson('packages/old/manifest.json')).toEqual({ name: 'old' });
    const streamed = await store.getStream('packages/old/manifest.json');
    expect(streamed).toMatchObject(expected);
    expect(await new Response(streamed!.body).text()).toBe('{"name":"old"}');
    expect((await stat(join(root, 'packages/old/manifest.json'))).size).toBeGreaterThan(14); // still the old form: reads do not rewrite it
    expect((await store.list()).keys).toEqual(['packages/old/manifest.json']);

    await expect(store.put('packages/old/manifest.json', '{}', { ifMatch: '"stale"' })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    await expect(store.put('packages/old/manifest.json', '{}', { ifNoneMatch: '*' })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    const r = await store.updateJson<{ name: string; v?: number }>('packages/old/manifest.json', (cur) => ({ ...cur!, v: 2 }));
    expect(r).toMatchObject({ written: true, conflicts: 0 });
    const text = await readFile(join(root, 'packages/old/manifest.json'), 'utf8');
    expect(JSON.parse(text)).toEqual({ name: 'old', v: 2 });
    expect((await readSidecar(root, 'packages/old/manifest.json')).cur).toMatchObject({ etag: etagOf(text), contentType: 'application/json' });
  });

  it('migrates an unmigrated folder at its first use: old-format files rewritten plain with the same etag, content type and metadata, orphan sidecars removed, other files left alone', async () => {
    const tgzEtag = await writeOldFormat(root, 'packages/m/m-1.0.0.tgz', 'tarball bytes', { contentType: 'application/octet-stream' });
    const manEtag = await writeOldFormat(root, 'packages/m/manifest.json', '{"name":"m"}', { contentType: 'application/json', metadata: { rev: '7-y' } });
    await writeFile(join(root, 'packages/m/notes.txt'), 'dropped in by hand');
    await writeFile(join(root, 'packages/m/.gone.json.fw-meta'), '{}');
    await mkdir(join(root, '.secrets'));
    await writeFile(join(root, '.secrets/master.key'), 'not the store\'s');
    await writeOldFormat(root, '.sync/old.json', '{}');
    const store = createStore({ driver: 'fs', root });
    expect((await store.list({ prefix: 'packages/m/' })).keys).toEqual(['packages/m/m-1.0.0.tgz', 'packages/m/manifest.json', 'packages/m/notes.txt']);

    expect(await readFile(join(root, 'packages/m/m-1.0.0.tgz'), 'utf8')).toBe('tarball bytes');
    expect(await readFile(join(root, 'packages/m/manifest.json'), 'utf8')).toBe('{"name":"m"}');
    expect((await readSidecar(root, 'packages/m/m-1.0.0.tgz')).cur).toMatchObject({ etag: tgzEtag, size: 13, contentType: 'application/octet-stream' });
    expect((await readSidecar(root, 'packages/m/manifest.json')).cur).toMatchObject({ etag: manEtag, contentType: 'application/json', metadata: { rev: '7-y' } });
    expect((await readdir(join(root, 'packages/m'))).sort()).toEqual(['.m-1.0.0.tgz.fw-meta', '.manifest.json.fw-meta', 'm-1.0.0.tgz', 'manifest.json', 'notes.txt']);
    expect(await readdir(join(root, '.secrets'))).toEqual(['master.key']); // top-level dot folders are not walked
    expect(await readdir(join(root, '.sync'))).toEqual(['old.json']);
    // a hand-made file is described the first time the store reads it
    expect(await store.head('packages/m/notes.txt')).toMatchObject({ etag: etagOf('dropped in by hand'), size: 18 });
    expect((await readSidecar(root, 'packages/m/notes.txt')).cur).toMatchObject({ etag: etagOf('dropped in by hand'), size: 18 });
    expect(await store.head('packages/m/manifest.json')).toMatchObject({ etag: manEtag, size: 12, contentType: 'application/json', metadata: { rev: '7-y' } });
    expect(await readFile(join(root, '.fw-store', 'format'), 'utf8')).toContain('format 2');

    // a migrated folder is not walked again at the next start: an old-format file written afterwards stays until its next write
    await writeOldFormat(root, 'packages/late/manifest.json', '{"late":true}');
    const again = createStore({ driver: 'fs', root });
    await again.list();
    expect((await stat(join(root, 'packages/late/manifest.json'))).size).toBeGreaterThan(13);
    expect(await again.getJson('packages/late/manifest.json')).toEqual({ late: true });
  });

  it('a write stopped between its sidecar and its rename leaves the old object whole, and the next conditional put takes the old etag', async () => {
    const store = createStore({ driver: 'fs', root });
    const v1 = await store.put('k/obj.json', '{"v":1}', { contentType: 'application/json', metadata: { n: '1' } });
    // what a writer killed after step (2) leaves: a synced temp file with the new bytes, and a sidecar
    // naming it as `cur` and the file in place as `prev`
    const tmp = join(root, '.fw-store', 'tmp', 'killed-writer');
    await writeFile(tmp, '{"v":2}');
    const fh = await open(tmp, 'r');
    const st = await fh.stat({ bigint: true });
    await fh.close();
    const old = await readSidecar(root, 'k/obj.json');
    const cur = { etag: etagOf('{"v":2}'), size: 7, metadata: { n: '2' }, file: { ino: String(st.ino), size: 7, mtimeNs: String(st.mtimeNs) } };
    await writeFile(sidecarPath(root, 'k/obj.json'), JSON.stringify({ format: 2, key: 'k/obj.json', cur, prev: old.cur }));

    const streamed = await store.getStream('k/obj.json');
    expect(await new Response(streamed!.body).text()).toBe('{"v":1}');
    for (const o of [await store.get('k/obj.json'), await store.head('k/obj.json'), streamed]) {
      expect(o).toMatchObject({ etag: v1.etag, size: 7, contentType: 'application/json', metadata: { n: '1' } });
    }
    expect(await store.getJson('k/obj.json')).toEqual({ v: 1 });
    await expect(store.put('k/obj.json', '{"v":3}', { ifMatch: cur.etag })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    await store.put('k/obj.json', '{"v":3}', { ifMatch: v1.etag });
    expect(await store.getJson('k/obj.json')).toEqual({ v: 3 });
    expect((await store.head('k/obj.json'))!.metadata).toBeUndefined();
  });

  it('a folder copied without its inodes is read by hashing with its metadata kept, and its sidecars are rewritten to name the copies', async () => {
    const store = createStore({ driver: 'fs', root });
    await store.put('packages/c/manifest.json', '{"c":1}', { contentType: 'application/json', metadata: { rev: '2-z' } });
    const copy = `${root}-copy`;
    await cp(root, copy, { recursive: true }); // new inodes and mtimes
    const copied = createStore({ driver: 'fs', root: copy });
    expect(await copied.head('packages/c/manifest.json')).toMatchObject({ etag: etagOf('{"c":1}'), size: 7, contentType: 'application/json', metadata: { rev: '2-z' } });
    const side = await readSidecar(copy, 'packages/c/manifest.json');
    expect(side.cur.file.ino).toBe(String((await stat(join(copy, 'packages/c/manifest.json'))).ino));
    expect(side.cur.metadata).toEqual({ rev: '2-z' });
    // a file edited in place keeps its inode: its new bytes are never shown with the old metadata
    await writeFile(join(copy, 'packages/c/manifest.json'), '{"c":2}');
    expect(await copied.head('packages/c/manifest.json')).toMatchObject({ etag: etagOf('{"c":2}'), size: 7 });
    expect((await copied.head('packages/c/manifest.json'))!.metadata).toBeUndefined();
  });

  it('concurrent unconditional puts of one key end with a sidecar naming the file in place and its own metadata', async () => {
    const store = createStore({ driver: 'fs', root });
    const stores = [store, createStore({ driver: 'fs', root })];
    await Promise.all(Array.from({ length: 24 }, (_, i) => {
      const body = `body ${i} `.repeat(i + 1);
      return stores[i % 2]!.put('many/obj.txt', body, { metadata: { sha: sha(body) } });
    }));
    const got = (await store.get('many/obj.txt'))!;
    expect(got.metadata!.sha).toBe(sha(got.body));
    const side = await readSidecar(root, 'many/obj.txt');
    expect(side.cur.file.ino).toBe(String((await stat(join(root, 'many/obj.txt'))).ino));
    expect(side.cur.etag).toBe(got.etag);
    expect((await readdir(join(root, '.fw-store', 'tmp')))).toEqual([]); // staged sidecars that did not fit were removed
  });

  it('a reader never pairs new bytes with old metadata while another process rewrites the object', async () => {
    const key = 'race/obj.txt';
    const writer = spawn('bun', ['--conditions=source', join(fixtures, 'pair-writer.ts'), root, key], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(writer);
    await new Promise<void>((resolve, reject) => {
      writer.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
      writer.on('close', (c) => reject(new Error(`writer exited with ${c}`)));
    });
    const store = createStore({ driver: 'fs', root });
    const seen = new Set<string>();
    let reads = 0;
    const until = Date.now() + 3000;
    while (Date.now() < until || seen.size < 20) {
      const got = (await store.get(key))!;
      expect(got.metadata!.sha).toBe(sha(got.body));
      expect(got.etag).toBe(`"${got.metadata!.sha}"`);
      expect(got.size).toBe(got.body.byteLength);
      expect(got.contentType).toBe(`text/x-round-${Number(/^round (\d+) /.exec(new TextDecoder().decode(got.body))![1]) % 37}`);
      const head = (await store.head(key))!;
      expect(head.etag).toBe(`"${head.metadata!.sha}"`);
      expect(String(head.size)).toBe(head.metadata!.len);
      const streamed = (await store.getStream(key))!;
      const bytes = new Uint8Array(await new Response(streamed.body).arrayBuffer());
      expect(streamed.metadata!.sha).toBe(sha(bytes));
      seen.add(got.etag);
      reads += 3;
      if (Date.now() > until + 20_000) break;
    }
    writer.kill('SIGKILL');
    expect(seen.size).toBeGreaterThanOrEqual(20); // the object really changed under the reader
    console.log(`[fs] ${reads} reads, ${seen.size} versions seen, no mismatched pair`);
  });
});
