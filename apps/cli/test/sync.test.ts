// sync:upload and sync:status end to end: a registry process fills the data folder, the CLI runs as
// real processes against the local S3-protocol server (behind a recording proxy), a second registry
// serves from the bucket, and a run killed part way resumes without sending again what arrived.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '@factorywager/r2-store';
import { publish, startRegistry, type RegistryProcess } from '@factorywager/e2e';
import { startS3TestServer, type S3TestServer } from '@factorywager/s3-test-server';
import { startS3Proxy, type S3Proxy } from './_s3-proxy.ts';

const bin = resolve(import.meta.dirname, '../src/bin.ts');
const temps: string[] = [];
const temp = (tag: string) => {
  const d = mkdtempSync(join(tmpdir(), `fw-sync-${tag}-`));
  temps.push(d);
  return d;
};

function fw(args: string[], env: Record<string, string>): ChildProcess & { result: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const full: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FW_MASTER_KEY: '', FW_SECRETS_BACKEND: 'vault', ...env };
  for (const k of ['R2_ACCOUNT_ID', 'R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY', 'FW_TOKEN']) delete full[k];
  const child = spawn('bun', ['--conditions=source', bin, ...args], { cwd: env.FW_DATA_DIR, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const result = new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => child.on('close', (code) => done({ code, stdout, stderr })));
  return Object.assign(child, { result });
}
const run = (args: string[], env: Record<string, string>) => fw(args, env).result;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function bucketObjects(store: Store): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  let cursor: string | undefined;
  do {
    const page = await store.list({ ...(cursor ? { cursor } : {}) });
    for (const k of page.keys) out.set(k, (await store.get(k))!.body);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

const contains = (hay: Uint8Array, needle: Uint8Array) => Buffer.from(hay).indexOf(Buffer.from(needle)) >= 0;

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3TestServer({ bucket: 'fw-sync' });
});
afterAll(async () => {
  await s3?.stop();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('sync upload and status against the local S3 server', () => {
  let registry: RegistryProcess;
  let proxy: S3Proxy;
  let bucket: Store;
  let env: Record<string, string>;
  let token: string;
  const PLAINTEXT = 'hunter2-plaintext-never-leaves';

  beforeAll(async () => {
    const dataDir = temp('data');
    registry = await startRegistry({ dataDir });
    const add = await fetch(`${registry.url}/-/user/org.couchdb.user:alice`, { method: 'PUT', body: JSON.stringify({ name: 'alice', password: 'correct horse battery' }) });
    token = ((await add.json()) as { token: string }).token;
    for (const [name, version] of [['left-pad', '1.0.0'], ['left-pad', '1.1.0'], ['@acme/ui', '2.0.0']] as const) {
      expect((await publish(registry.url, token, name, version)).status).toBe(201);
    }
    await s3.createBucket('fw-sync-main');
    proxy = startS3Proxy(s3.endpoint, 'fw-sync-main');
    bucket = createStore({ driver: 's3', endpoint: s3.endpoint, bucket: 'fw-sync-main', accessKeyId: 'test', secretAccessKey: 'test', region: 'auto' });
    env = { FW_DATA_DIR: dataDir, S3_ENDPOINT: proxy.endpoint, S3_BUCKET: 'fw-sync-main', S3_ACCESS_KEY_ID: 'test', S3_SECRET_ACCESS_KEY: 'test' };
    // A secret in the file vault: writes .secrets/master.key and .secrets/vault/ locally, envelopes under secrets/.
    const set = await run(['secrets', 'set', 'db/password', PLAINTEXT], { FW_DATA_DIR: dataDir });
    expect(set.code, set.stderr).toBe(0);
    expect(statSync(join(dataDir, '.secrets', 'master.key')).isFile()).toBe(true);
  });
  afterAll(async () => {
    await bucket?.close?.();
    await proxy?.stop();
    await registry?.stop();
  });

  it('--dry-run lists what would go and writes nothing', async () => {
    const r = await run(['sync', 'upload', '--dry-run'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('would send packages/left-pad/left-pad-1.0.0.tgz');
    expect(r.stdout).toMatch(/\(dry run\) \d+ to send/);
    expect(proxy.log.filter((e) => e.method === 'PUT')).toHaveLength(0);
    expect((await bucketObjects(bucket)).size).toBe(0);
  });

  it('copies the store: tarballs before their manifests, encrypted envelopes only, never the key file or vault', async () => {
    const r = await run(['sync', 'upload', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { sent: string[]; unchanged: number; conflicts: unknown[]; refused: unknown[] };
    expect(report.conflicts).toEqual([]);
    expect(report.refused).toEqual([]);
    expect(report.sent).toEqual(expect.arrayContaining([
      'packages/left-pad/left-pad-1.0.0.tgz', 'packages/left-pad/left-pad-1.1.0.tgz', 'packages/@acme/ui/ui-2.0.0.tgz',
      'packages/left-pad/manifest.json', 'packages/@acme/ui/manifest.json', 'versions/left-pad/1.0.0.json',
      'secrets/db/password/current.json', 'secrets/db/password/versions/1.json', 'auth/users/alice.json',
    ]));
    expect(report.sent).not.toContain('auth/secret.json');
    expect(report.sent.some((k) => k.startsWith('versions/left-pad/history/'))).toBe(true);
    expect(report.sent.some((k) => k.startsWith('secrets/_audit/'))).toBe(true);
    expect(r.stderr).toMatch(/100% manifests \d+\/\d+ objects, [\d.]+ kB\/[\d.]+ kB/);

    // Order at the server: every tarball write of a package ended before its manifest write began.
    const puts = proxy.stored();
    // Tarballs (immutable) and first copies go with If-None-Match: *.
    for (const t of puts.filter((e) => e.key.endsWith('.tgz'))) expect(t.ifNoneMatch, t.key).toBe('*');
    for (const pkg of ['left-pad', '@acme/ui']) {
      const manifest = puts.find((e) => e.key === `packages/${pkg}/manifest.json`)!;
      const tarballs = puts.filter((e) => e.key.startsWith(`packages/${pkg}/`) && e.key.endsWith('.tgz'));
      expect(tarballs.length).toBeGreaterThan(0);
      for (const t of tarballs) expect(t.end).toBeLessThanOrEqual(manifest.start);
    }

    const objects = await bucketObjects(bucket);
    expect([...objects.keys()].filter((k) => k.startsWith('.') || k.includes('/.'))).toEqual([]);
    // The bytes of the key file and of every vault item, and the plaintext, appear in no object.
    const local = join(env.FW_DATA_DIR!, '.secrets');
    const needles = [Buffer.from(PLAINTEXT), ...filesUnder(local).map((f) => readFileSync(f))];
    const keyFile = readFileSync(join(local, 'master.key'));
    needles.push(Buffer.from(keyFile.toString('hex')), Buffer.from(keyFile.toString('base64')));
    for (const [key, body] of objects) for (const n of needles) expect(contains(body, n), `${key} holds local secret bytes`).toBe(false);
    const envelope = JSON.parse(Buffer.from(objects.get('secrets/db/password/versions/1.json')!).toString()) as { format: string; alg: string };
    expect(envelope).toMatchObject({ format: 'fw-secret-envelope', alg: 'AES-256-GCM' });
  });

  it('a second run with no changes sends nothing and asks only for listings', async () => {
    const before = proxy.log.length;
    const r = await run(['sync', 'upload'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^0 sent \(0 B\), \d+ unchanged/m);
    const requests = proxy.log.slice(before);
    expect(requests.filter((e) => e.method !== 'GET' || e.key !== '')).toEqual([]);
  });

  it('status: missing, changed and extra both ways, with counts and --json; upload clears them', async () => {
    let r = await run(['sync', 'status', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { counts: unknown }).counts).toMatchObject({ missing: 0, changed: 0, extra: 0 });

    expect((await publish(registry.url, token, 'left-pad', '1.2.0')).status).toBe(201);
    await bucket.put('packages/ghost/manifest.json', '{}');
    await bucket.delete('packages/@acme/ui/ui-2.0.0.tgz');
    r = await run(['sync', 'status', '--json'], env);
    const s = JSON.parse(r.stdout) as { missing: string[]; changed: string[]; extra: string[]; counts: Record<string, number> };
    expect(s.missing).toEqual(expect.arrayContaining(['packages/@acme/ui/ui-2.0.0.tgz', 'packages/left-pad/left-pad-1.2.0.tgz']));
    expect(s.changed).toContain('packages/left-pad/manifest.json');
    expect(s.missing.some((k) => k.startsWith('versions/left-pad/history/'))).toBe(true);
    expect(s.extra).toEqual(['packages/ghost/manifest.json']);
    expect(s.counts.missing).toBe(s.missing.length);

    const human = await run(['sync', 'status'], env);
    expect(human.stdout).toMatch(new RegExp(`^${s.counts.missing} missing, ${s.counts.changed} changed, 1 extra, \\d+ same`, 'm'));

    const mark = proxy.log.length;
    const up = await run(['sync', 'upload'], env);
    expect(up.code, up.stderr).toBe(0);
    // A changed manifest is written If-Match the etag just read, so a replica's concurrent write is not lost.
    const manifestPut = proxy.log.slice(mark).find((e) => e.method === 'PUT' && e.key === 'packages/left-pad/manifest.json')!;
    expect(manifestPut.ifMatch).toBeTruthy();
    r = await run(['sync', 'status', '--json'], env);
    expect((JSON.parse(r.stdout) as { counts: unknown }).counts).toMatchObject({ missing: 0, changed: 0, extra: 1 });
  });

  it('a registry serving from the bucket installs what was synced', async () => {
    const replica = await startRegistry({ env: { S3_ENDPOINT: s3.endpoint, S3_BUCKET: 'fw-sync-main', S3_ACCESS_KEY_ID: 'test', S3_SECRET_ACCESS_KEY: 'test' } });
    try {
      const doc = (await (await fetch(`${replica.url}/left-pad`)).json()) as { 'dist-tags': Record<string, string>; versions: Record<string, { dist: { tarball: string } }> };
      expect(doc['dist-tags'].latest).toBe('1.2.0');
      const tgz = await fetch(doc.versions['1.0.0']!.dist.tarball);
      expect(tgz.status).toBe(200);
      expect((await tgz.arrayBuffer()).byteLength).toBeGreaterThan(0);
      const who = await fetch(`${replica.url}/-/whoami`, { headers: { authorization: `Bearer ${token}` } });
      expect(who.status).toBe(401); // the signing secret stayed local: tokens must be issued again (or REGISTRY_SECRET shared)
    } finally {
      await replica.stop();
    }
  });

  it('refuses to run without an R2/S3 store (exit 1, one line)', async () => {
    const r = await run(['sync', 'upload'], { FW_DATA_DIR: env.FW_DATA_DIR! });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('sync needs an R2 or S3 store');
  });
});

describe('sync upload killed part way', () => {
  it('resumes without sending again anything the server received', async () => {
    const dataDir = temp('kill');
    const local = createStore({ driver: 'fs', root: dataDir });
    const N = 150;
    for (let i = 0; i < N; i++) {
      await local.put(`packages/p${i}/p${i}-1.0.0.tgz`, crypto.getRandomValues(new Uint8Array(20_000)));
      await local.putJson(`packages/p${i}/manifest.json`, { name: `p${i}`, versions: { '1.0.0': {} } });
    }
    await s3.createBucket('fw-sync-kill');
    const proxy = startS3Proxy(s3.endpoint, 'fw-sync-kill');
    const env = { FW_DATA_DIR: dataDir, S3_ENDPOINT: proxy.endpoint, S3_BUCKET: 'fw-sync-kill', S3_ACCESS_KEY_ID: 'test', S3_SECRET_ACCESS_KEY: 'test' };
    try {
      const child = fw(['sync', 'upload', '--concurrency', '4'], env);
      // Let 60 writes land, then keep the answers of the next ones (they reach the server) and kill.
      while (proxy.stored().length < 60) await new Promise((r) => setTimeout(r, 5));
      proxy.hold();
      await new Promise((r) => setTimeout(r, 200));
      child.kill('SIGKILL');
      const first = await child.result;
      expect(first.code).toBeNull();
      proxy.release();
      const arrived = new Set(proxy.stored().map((e) => e.key));
      expect(arrived.size).toBeGreaterThanOrEqual(60);
      expect(arrived.size).toBeLessThan(2 * N);
      // Some of them arrived without the killed run hearing of it: only the journal's keys were acknowledged.
      const journalDir = join(dataDir, '.sync');
      const journaled = new Set(readFileSync(join(journalDir, readdirSync(journalDir)[0]!), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { k: string }).k));
      expect(journaled.size).toBeLessThan(arrived.size);
      const before = proxy.log.length;

      const second = await run(['sync', 'upload', '--concurrency', '4', '--json'], env);
      expect(second.code, second.stderr).toBe(0);
      const resent = proxy.log.slice(before).filter((e) => e.method === 'PUT' && arrived.has(e.key));
      expect(resent).toEqual([]);
      const report = JSON.parse(second.stdout) as { sent: string[]; unchanged: number };
      expect(report.sent.length + arrived.size).toBe(2 * N);
      expect(report.sent.filter((k) => arrived.has(k))).toEqual([]);

      const status = await run(['sync', 'status', '--json'], env);
      expect((JSON.parse(status.stdout) as { counts: unknown }).counts).toEqual({ missing: 0, changed: 0, extra: 0, same: 2 * N });
    } finally {
      await proxy.stop();
      await local.close?.();
    }
  });
});
