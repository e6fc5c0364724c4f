// The Workers entry: wrangler.toml, the config it reads from its env, the build's size check, and
// the Worker itself in workerd over an R2 binding (bundled from the sources, as the build does).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTarGzip } from 'nanotar';
import { hashPassword } from '@factorywager/registry-server';
import { workerConfig, WORKERS_MAX_BODY_SIZE } from '@factorywager/registry-server/workers';
import { bundleWorker, COMPATIBILITY_DATE, COMPATIBILITY_FLAGS, startWorkers, type RunningWorkers } from '@factorywager/workerd-test';

const app = fileURLToPath(new URL('..', import.meta.url));
const SECRET = 'worker-test-secret-of-at-least-32-chars';

describe('wrangler.toml', () => {
  const toml = Bun.TOML.parse(readFileSync(join(app, 'wrangler.toml'), 'utf8')) as Record<string, any>;
  it('deploys the built bundle with the binding, flags and date the tests run with', () => {
    expect(toml.main).toBe('dist/worker.js');
    expect(toml.no_bundle).toBe(true);
    expect(toml.compatibility_date).toBe(COMPATIBILITY_DATE);
    expect(toml.compatibility_flags).toEqual(COMPATIBILITY_FLAGS);
    expect(toml.r2_buckets).toEqual([{ binding: 'REGISTRY_BUCKET', bucket_name: 'fw-registry' }]);
    expect(readFileSync(join(app, 'src/worker.ts'), 'utf8')).toContain('createWorkerFetch');
  });
  it('carries a REGISTRY_CONFIG example that validates', () => {
    const config = workerConfig({ REGISTRY_BUCKET: {} as never, ...toml.vars });
    expect(config.uplinks.npmjs!.url).toBe('https://registry.npmjs.org/');
    expect(config.packages[0]!.pattern).toBe('@acme/*');
    expect(config.auth.allowRegistration).toBe(false);
    expect(config.limits.maxBodySize).toBe(WORKERS_MAX_BODY_SIZE);
    expect(config.publicUrl).toBe('https://npm.example.com');
  });
});

describe('workerConfig', () => {
  const bucket = {} as never;
  it('names REGISTRY_CONFIG and the field in its errors', () => {
    expect(() => workerConfig({ REGISTRY_BUCKET: bucket, REGISTRY_CONFIG: '{ packages: [' })).toThrow(/REGISTRY_CONFIG: not valid JSON5/);
    expect(() => workerConfig({ REGISTRY_BUCKET: bucket, REGISTRY_CONFIG: '{ uplinks: { x: { url: 5 } } }' })).toThrow(/REGISTRY_CONFIG.*uplinks\.x\.url/);
    expect(() => workerConfig({ REGISTRY_BUCKET: bucket, REGISTRY_CONFIG: "{ storage: { driver: 'memory' } }" })).toThrow(/storage does not apply on Workers/);
    expect(() => workerConfig({ REGISTRY_BUCKET: bucket, REGISTRY_SECRET: 'short' })).toThrow(/REGISTRY_SECRET must be at least 32/);
  });
  it('keeps a body limit that fits an isolate unless the config raises it', () => {
    expect(workerConfig({ REGISTRY_BUCKET: bucket }).limits.maxBodySize).toBe(10 * 1024 * 1024);
    expect(workerConfig({ REGISTRY_BUCKET: bucket, REGISTRY_CONFIG: '{ limits: { maxBodySize: 20971520 } }' }).limits.maxBodySize).toBe(20 * 1024 * 1024);
  });
});

describe('bun run build: the Worker bundle', () => {
  const build = (args: string[]) => spawnSync('bun', ['scripts/build-worker.ts', '--source', ...args], { cwd: app, encoding: 'utf8' });
  it('fails over the size limit, naming the sizes', () => {
    const out = mkdtempSync(join(tmpdir(), 'fw-worker-build-'));
    try {
      const r = build(['--outdir', out, '--limit', '50000']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/worker\.js is [\d.]+ KiB gzipped, over the Workers limit of 48\.8 KiB/);
      const ok = build(['--outdir', out]);
      expect(ok.status, ok.stderr).toBe(0);
      const size = JSON.parse(readFileSync(join(out, 'worker-size.json'), 'utf8'));
      expect(size.gzipBytes).toBeLessThan(3 * 1024 * 1024);
      expect(readFileSync(join(out, 'worker.js'), 'utf8')).not.toMatch(/@aws-sdk|S3Client/); // the s3 driver stays out
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
  it('the built dist/worker.js (bun run build) is within the limit and answers in workerd', async () => {
    const dist = join(app, 'dist/worker.js');
    expect(existsSync(dist), 'run `bun run build` first').toBe(true);
    expect(JSON.parse(readFileSync(join(app, 'dist/worker-size.json'), 'utf8')).gzipBytes).toBeLessThanOrEqual(3 * 1024 * 1024);
    const w = await startWorkers([{ name: 'dist', script: readFileSync(dist, 'utf8'), r2Buckets: { REGISTRY_BUCKET: 'dist' }, bindings: { REGISTRY_SECRET: SECRET } }]);
    try {
      const res = await fetch(`${w.urls.dist}/-/ping`);
      expect(res.status).toBe(200);
    } finally {
      await w.stop();
    }
  });
});

describe('the Worker in workerd', () => {
  let w: RunningWorkers;
  beforeAll(async () => {
    const script = await bundleWorker(join(app, 'src/worker.ts'));
    w = await startWorkers([
      { name: 'ok', script, r2Buckets: { REGISTRY_BUCKET: 'b' }, bindings: { REGISTRY_SECRET: SECRET, FW_PASSWORD_ITERATIONS: '20000' } },
      { name: 'bad', script, r2Buckets: { REGISTRY_BUCKET: 'b' }, bindings: { REGISTRY_CONFIG: '{ uplinks: { x: { url: 5 } } }' } },
      { name: 'costly', script, r2Buckets: { REGISTRY_BUCKET: 'b' }, bindings: { REGISTRY_SECRET: SECRET, FW_PASSWORD_ITERATIONS: '600000' } },
    ]);
  });
  afterAll(async () => {
    await w?.stop();
  });

  const adduser = (base: string, name: string) => fetch(`${base}/-/user/org.couchdb.user:${name}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'worker-password-1', email: `${name}@example.com` }),
  });

  it('answers a bad config with a JSON 500 naming the field, on every request', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${w.urls.bad}/-/ping`);
      expect(res.status).toBe(500);
      expect((await res.json()).error).toMatch(/registry misconfigured: REGISTRY_CONFIG.*uplinks\.x\.url/);
    }
  });

  it('hashes new passwords with FW_PASSWORD_ITERATIONS', async () => {
    const res = await adduser(w.urls.ok!, 'iter');
    expect(res.status).toBe(201);
    const bucket = (await w.miniflare.getR2Bucket('REGISTRY_BUCKET', 'ok')) as unknown as { get(k: string): Promise<{ json<T>(): Promise<T> } | null> };
    const user = await (await bucket.get('auth/users/iter.json'))!.json<{ password: { iterations: number } }>();
    expect(user.password.iterations).toBe(20000);
  });

  it('refuses FW_PASSWORD_ITERATIONS over the 100,000 Cloudflare allows on every request, not at the first login', async () => {
    for (const path of ['/-/ping', '/fw-anything']) {
      const res = await fetch(`${w.urls.costly}${path}`);
      expect(res.status).toBe(500);
      expect((await res.json()).error).toBe('registry misconfigured: environment: FW_PASSWORD_ITERATIONS must be a whole number from 10000 to 100000 on Workers (Cloudflare\'s Web Crypto refuses PBKDF2 above 100000 iterations), got "600000"');
    }
  });

  it('a login against a stored hash over 100,000 iterations says how to re-create the account (Cloudflare could not check it)', async () => {
    const bucket = (await w.miniflare.getR2Bucket('REGISTRY_BUCKET', 'ok')) as unknown as { put(k: string, v: string): Promise<unknown> };
    // as a Bun server over the same bucket makes it: 600,000 iterations
    const password = await hashPassword('worker-password-1', 600_000);
    const now = new Date().toISOString();
    await bucket.put('auth/users/heavy.json', JSON.stringify({ id: crypto.randomUUID(), name: 'heavy', password, created: now, updated: now }));
    const res = await adduser(w.urls.ok!, 'heavy');
    expect(res.status).toBe(500);
    expect((await res.json()).error).toBe('the password of heavy is hashed with 600000 PBKDF2 iterations, more than this runtime can check (100000, the Cloudflare Workers limit): an administrator re-creates the account with `fw registry user delete heavy` and `fw registry user add heavy --iterations 100000`');
  });

  it('publishes a 6 MiB tarball and serves it back whole; refuses a body over the Workers limit with 413', async () => {
    const token = (await (await adduser(w.urls.ok!, 'big')).json()).token as string;
    const noise = new Uint8Array(6 * 1024 * 1024);
    for (let i = 0; i < noise.length; i += 65536) crypto.getRandomValues(noise.subarray(i, i + 65536)); // incompressible
    const name = 'fw-worker-big';
    const manifest = { name, version: '1.0.0', main: 'index.js' };
    const tgz = await createTarGzip([{ name: 'package/package.json', data: JSON.stringify(manifest) }, { name: 'package/blob.bin', data: noise }]);
    const integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
    const body = (extra = '') => JSON.stringify({
      _id: name, name, 'dist-tags': { latest: '1.0.0' },
      versions: { '1.0.0': { ...manifest, _id: `${name}@1.0.0`, dist: { integrity, shasum: createHash('sha1').update(tgz).digest('hex'), tarball: `${w.urls.ok}/${name}/-/${name}-1.0.0.tgz` } } },
      _attachments: { [`${name}-1.0.0.tgz`]: { content_type: 'application/octet-stream', data: Buffer.from(tgz).toString('base64') + extra, length: tgz.length } },
    });
    const put = (text: string) => fetch(`${w.urls.ok}/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: text });
    const big = await put(body('A'.repeat(3 * 1024 * 1024)));
    expect(big.status).toBe(413);
    expect((await big.json()).error).toMatch(/exceeds the limit of 10485760 bytes/);
    const res = await put(body());
    expect(res.status, await res.clone().text()).toBe(201);
    const back = new Uint8Array(await (await fetch(`${w.urls.ok}/${name}/-/${name}-1.0.0.tgz`)).arrayBuffer());
    expect(`sha512-${createHash('sha512').update(back).digest('base64')}`).toBe(integrity);
    // the download is counted after the response, kept alive by the request's waitUntil
    const bucket = (await w.miniflare.getR2Bucket('REGISTRY_BUCKET', 'ok')) as unknown as { get(k: string): Promise<{ json<T>(): Promise<T> } | null> };
    let counts: { total: number } | null = null;
    for (let i = 0; i < 100 && !counts; i++) {
      counts = await (await bucket.get(`versions/${name}/downloads.json`))?.json<{ total: number }>() ?? null;
      if (!counts) await new Promise((r) => setTimeout(r, 50));
    }
    expect(counts).toMatchObject({ total: 1 });
  });
});
