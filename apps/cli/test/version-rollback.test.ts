import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryDriver, wrapStore, type Store } from '@factorywager/r2-store';
import { baseConfig } from '@factorywager/registry-server';
import { NPMRegistryServer } from '@factorywager/registry-server/node';
import { runMain } from './_run-main.ts';

const temps: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'fw-cli-rollback-'));
  temps.push(d);
  return d;
};

const run = runMain;

let server: NPMRegistryServer;
let store: Store;
let token = '';
let env: Record<string, string | undefined>;
const proxies: Array<{ stop: (force?: boolean) => void }> = [];

async function put(path: string, body: unknown) {
  const res = await fetch(`${server.url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

async function publish(name: string, version: string, tag = 'latest') {
  const { createHash } = await import('node:crypto');
  const { createTarGzip } = await import('nanotar');
  const tgz = await createTarGzip([{ name: 'package/package.json', data: JSON.stringify({ name, version }) }]);
  const file = `${name.split('/').pop()}-${version}.tgz`;
  await put(`/${name.replace('/', '%2f')}`, {
    _id: name, name, 'dist-tags': { [tag]: version },
    versions: { [version]: { name, version, dist: { integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`, shasum: createHash('sha1').update(tgz).digest('hex'), tarball: `x/${file}` } } },
    _attachments: { [file]: { content_type: 'application/octet-stream', data: Buffer.from(tgz).toString('base64'), length: tgz.byteLength } },
  });
}

beforeAll(async () => {
  store = wrapStore(memoryDriver());
  server = await new NPMRegistryServer({ ...baseConfig(), listen: { host: '127.0.0.1', port: 0 }, publicUrl: 'http://127.0.0.1:0' }, { store, log: false }).start();
  const res = await fetch(`${server.url}/-/user/org.couchdb.user:ana`, { method: 'PUT', body: JSON.stringify({ name: 'ana', password: 'correct horse battery' }) });
  token = ((await res.json()) as { token: string }).token;
  env = { REGISTRY_URL: server.url, FW_TOKEN: token, NO_COLOR: '1', FORCE_COLOR: undefined, HOME: temp() };
  for (const v of ['1.0.0', '1.1.0', '1.2.0']) await publish('@acme/roll', v);
  await publish('@acme/roll', '2.0.0-rc.0', 'next');
});

afterAll(async () => {
  for (const p of proxies) p.stop(true);
  await server.stop();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const latest = async () => ((await (await fetch(`${server.url}/-/package/@acme%2froll/dist-tags`)).json()) as Record<string, string>).latest;

describe('fw version rollback', () => {
  it('--dry-run --json prints the plan and the graph, and changes nothing', async () => {
    const r = await run(['version', 'rollback', '@acme/roll', '1.0.0', '--dry-run', '--json'], env);
    expect(r).toMatchObject({ code: 0, err: '' });
    const data = JSON.parse(r.out);
    expect(data).toMatchObject({ changed: false, dryRun: true, event: null, after: null, plan: { tag: 'latest', from: '1.2.0', to: '1.0.0', direction: 'back' } });
    expect(data.before).toMatchObject({ name: '@acme/roll', current: '1.2.0', rollback: '1.1.0' });
    expect(await latest()).toBe('1.2.0');
  });

  it('moves another tag with --tag, reads the token from ~/.npmrc when FW_TOKEN is unset, and shows --limit versions', async () => {
    const home = temp();
    writeFileSync(join(home, '.npmrc'), `${server.url.replace(/^http:/, '')}/:_authToken=${token}\n`);
    const r = await run(['version', 'rollback', '@acme/roll', '1.2.0', '--tag', 'next', '--limit', '2'], { ...env, FW_TOKEN: undefined, HOME: home });
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('├── 1.2.0  [Current]  ‹latest› ‹next›');
    expect(r.out.split('\n').filter((l) => l.includes('older version'))).toHaveLength(2);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('✔ moved next of @acme/roll: 2.0.0-rc.0 → 1.2.0');
    const history = JSON.parse((await run(['version', 'history', '@acme/roll', '--limit', '1', '--json'], env)).out);
    expect(history.events).toEqual([expect.objectContaining({ type: 'rollback', tag: 'next', from: '2.0.0-rc.0', to: '1.2.0', actor: 'ana' })]);
  });

  it('a tag moved by someone else meanwhile is a conflict: one line, exit 1, and their move stands', async () => {
    // A proxy that lets another client roll latest to 1.1.0 between the plan and the move.
    const proxy = Bun.serve({
      hostname: '127.0.0.1', port: 0,
      async fetch(req) {
        const url = new URL(req.url);
        if (url.pathname === '/-/fw/rollback') {
          const res = await fetch(`${server.url}/-/fw/rollback`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ package: '@acme/roll', version: '1.1.0' }) });
          expect(res.status).toBe(200);
        }
        return fetch(`${server.url}${url.pathname}${url.search}`, { method: req.method, headers: req.headers, body: req.method === 'POST' ? await req.text() : undefined });
      },
    });
    proxies.push(proxy);
    const r = await run(['version', 'rollback', '@acme/roll', '1.0.0'], { ...env, REGISTRY_URL: `http://127.0.0.1:${proxy.port}` });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe('fw: latest of @acme/roll points at 1.1.0 now, not 1.2.0; look again (someone moved it while this ran; run the command again)\n');
    expect(await latest()).toBe('1.1.0');
    await run(['version', 'rollback', '@acme/roll', '1.2.0'], env);
    expect(await latest()).toBe('1.2.0');
  });

  it('usage errors exit 2', async () => {
    for (const [args, message] of [
      [['version', 'rollback', '@acme/roll'], /^fw: usage: fw version rollback <pkg> <version>/],
      [['version', 'rollback', '@acme/roll', '1.0.0', '--limit', '0'], /^fw: --limit must be a positive whole number, not "0"$/],
      [['version', 'rollback', '@acme/roll', '1.0.0', '--reason', 'x'.repeat(501)], /^fw: --reason must be at most 500 characters$/],
      [['version', 'history', '@acme/roll', '--type', 'rollback,boom'], /^fw: unknown event type "boom" for --type \(try: publish, tag, untag, deprecate, unpublish, rollback\)$/],
      [['version', 'history', '@acme/roll', '--limit', 'all'], /^fw: --limit must be a positive whole number/],
    ] as const) {
      const r = await run([...args], env);
      expect({ args, code: r.code, out: r.out }).toEqual({ args, code: 2, out: '' });
      expect(r.err.trimEnd()).toMatch(message);
    }
  });

  it('an invalid version is one line and exit 1', async () => {
    const r = await run(['version', 'rollback', '@acme/roll', 'latest'], env);
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toMatch(/^fw: invalid version "latest": expected MAJOR\.MINOR\.PATCH.*\[INVALID_VERSION\]\n$/);
  });
});

describe('fw version history', () => {
  it('draws tag moves, deprecations and publishes with their details, newest first', async () => {
    await put('/-/package/@acme%2froll/dist-tags/beta', '1.1.0');
    const doc = (await (await fetch(`${server.url}/@acme%2froll?write=true`, { headers: { authorization: `Bearer ${token}` } })).json()) as { versions: Record<string, { deprecated?: string }> };
    doc.versions['1.0.0']!.deprecated = 'old';
    await put('/@acme%2froll', doc);
    const r = await run(['version', 'history', '@acme/roll', '--limit', '3'], env);
    expect(r).toMatchObject({ code: 0, err: '' });
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('📦 @acme/roll  3 events');
    expect(lines[1]).toMatch(/^├── 1\.0\.0  deprecate  \S+  by ana$/);
    expect(lines[2]).toBe('│      deprecated: old');
    expect(lines[3]).toMatch(/^├── 1\.1\.0  tag        beta ∅ → 1\.1\.0  \S+  by ana$/);
    expect(lines[4]).toMatch(/^└── 1\.2\.0  rollback   latest 1\.1\.0 → 1\.2\.0  \S+  by ana$/);
  });

  it('a package without history is one line, exit 1', async () => {
    const r = await run(['version', 'history', 'nothing-here'], env);
    expect(r).toEqual({ code: 1, out: '', err: 'fw: no history for nothing-here [PACKAGE_NOT_FOUND]\n' });
  });
});

describe('against a registry without the graph and rollback routes', () => {
  it('version graph builds from the packument; version rollback says the registry cannot', async () => {
    const packument = { name: 'plain', 'dist-tags': { latest: '1.1.0' }, versions: { '1.0.0': {}, '1.1.0': {} } };
    const plain = Bun.serve({
      hostname: '127.0.0.1', port: 0,
      fetch: (req) => (new URL(req.url).pathname === '/plain' ? Response.json(packument) : new Response('Not Found', { status: 404 })),
    });
    proxies.push(plain);
    const at = { ...env, REGISTRY_URL: `http://127.0.0.1:${plain.port}` };
    const graph = await run(['version', 'graph', 'plain'], at);
    expect(graph).toMatchObject({ code: 0, err: '' });
    expect(graph.out).toContain('1.1.0  [Current]');
    const r = await run(['version', 'rollback', 'plain', '1.0.0'], at);
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toMatch(/^fw: the registry has no rollback route \(POST \/-\/fw\/rollback\): is it a FactoryWager registry\? \[FETCH_FAILED\]\n$/);
  });
});
