// `fw bunx` glue: options before the package and everything after it passed through; the token
// from the secret `registry:<host>` (the real keychain under CI, else the file vault) is what
// `bunx:run` sends to a registry that lets only authenticated users read. Real subprocesses.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, memoryDriver, wrapStore } from '@factorywager/r2-store';
import { baseConfig } from '@factorywager/registry-server';
import { NPMRegistryServer } from '@factorywager/registry-server/node';
import { MASTER_KEY_ITEM, RegistrySecretsManager } from '@factorywager/secrets';
import { publishBody } from '../../../tooling/e2e/src/publish-doc.ts';
import { formatBytes } from '../src/commands/bunx.ts';
import { parse, type Command } from '../src/kit.ts';

const root = resolve(import.meta.dirname, '../../..');
const service = `fw-cli-bunx-${process.pid}-${crypto.randomUUID().slice(0, 8)}`;

describe('passThrough parsing', () => {
  const command: Command = { summary: '', usage: '', passThrough: true, options: { bin: { type: 'string' }, offline: { type: 'boolean' } }, run() {} };
  it.each([
    [['pkg', '--help', '-x'], {}, ['pkg', '--help', '-x']],
    [['--offline', '--bin', 'b', 'pkg', '--bin', 'c'], { offline: true, bin: 'b' }, ['pkg', '--bin', 'c']],
    [['--bin=b', 'pkg'], { bin: 'b' }, ['pkg']],
    [['--json', '--', '--pkg-looking', 'a'], { json: true }, ['--pkg-looking', 'a']],
  ])('%j', (argv, values, positionals) => {
    const parsed = parse(command, argv);
    expect({ ...parsed.values }).toEqual(values);
    expect(parsed.positionals).toEqual(positionals);
  });
  it('an unknown option before the package is a usage error', () => {
    expect(() => parse(command, ['--nope', 'pkg'])).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
  it.each([[0, '0 B'], [1536, '1.5 KiB'], [5 * 1024 * 1024, '5.0 MiB']])('formatBytes(%d) = %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});

describe('bunx:run with the token from the secret registry:<host>', () => {
  let dataDir: string;
  let home: string;
  let server: NPMRegistryServer;
  let token: string;
  /** `bunx-run.cts <args>` as a process; `onOut` sees stdout as it comes (with the child). */
  const run = (args: string[], extra: Record<string, string> = {}, onOut?: (text: string, child: ReturnType<typeof spawn>) => void) =>
    new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((done, fail) => {
      const env: NodeJS.ProcessEnv = { ...process.env, FW_DATA_DIR: dataDir, FW_KEYCHAIN_SERVICE: service, HOME: home, REGISTRY_URL: server.url, BUNX_CACHE_DIR: join(home, 'cache'), NO_COLOR: '1', FW_MASTER_KEY: '' };
      delete env.FW_TOKEN;
      delete env.npm_config_userconfig;
      const child = spawn('bun', ['--conditions=source', join(root, 'apps/cli/src/bunx-run.cts'), ...args], { cwd: home, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
        onOut?.(stdout, child);
      });
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', fail);
      child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fw-cli-bunx-data-'));
    home = mkdtempSync(join(tmpdir(), 'fw-cli-bunx-home-'));
    const config = { ...baseConfig(), listen: { host: '127.0.0.1', port: 0 }, publicUrl: 'http://127.0.0.1:0', packages: [{ pattern: '**', access: ['$authenticated'], publish: ['$authenticated'], unpublish: ['$authenticated'] }] };
    server = await new NPMRegistryServer(config, { store: wrapStore(memoryDriver()), log: false }).start();
    const res = await fetch(`${server.url}/-/user/org.couchdb.user:dora`, { method: 'PUT', body: JSON.stringify({ name: 'dora', password: 'a long enough password' }) });
    token = ((await res.json()) as { token: string }).token;
    const { body } = await publishBody('@private/hello', '1.0.0', server.url, { bin: { hello: 'index.js' } });
    const put = await fetch(`${server.url}/@private%2fhello`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    expect(put.status).toBe(201);
    // A bin that says "ready", then on SIGTERM or SIGINT says which and exits 42 or 43.
    const trap = await publishBody('@private/trap', '1.0.0', server.url, { bin: { trap: 'index.js' } });
    const script = "process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(42); });\nprocess.on('SIGINT', () => { console.log('got SIGINT'); process.exit(43); });\nconsole.log('ready ' + process.argv.slice(2).join(' '));\nsetInterval(() => {}, 1000);\n";
    const { createTarGzip } = await import('nanotar');
    const { createHash } = await import('node:crypto');
    const tarball = await createTarGzip([
      { name: 'package/package.json', data: JSON.stringify({ name: '@private/trap', version: '1.0.0', bin: { trap: 'index.js' } }) },
      { name: 'package/index.js', data: script },
    ]);
    const v = (trap.body.versions as Record<string, { dist: Record<string, string> }>)['1.0.0']!;
    v.dist.integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
    v.dist.shasum = createHash('sha1').update(tarball).digest('hex');
    const att = (trap.body._attachments as Record<string, { data: string; length: number }>);
    const file = Object.keys(att)[0]!;
    att[file] = { ...att[file]!, data: Buffer.from(tarball).toString('base64'), length: tarball.length };
    const put2 = await fetch(`${server.url}/@private%2ftrap`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(trap.body) });
    expect(put2.status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    const m = new RegistrySecretsManager({ store: createStore({ driver: 'fs', root: dataDir }), dataDir, service, env: {}, actor: 'test', cacheTtl: 0 });
    for (const s of await m.listSecrets({ includeDeleted: true }).catch(() => [])) await m.deleteSecret(s.key, { purge: true }).catch(() => undefined);
    const bun = (globalThis as { Bun?: { secrets?: { delete(o: object): Promise<boolean> } } }).Bun;
    await bun?.secrets?.delete({ service, name: MASTER_KEY_ITEM }).catch(() => undefined);
    for (const d of [dataDir, home]) rmSync(d, { recursive: true, force: true });
  });

  it('without a token the registry refuses, in one line', async () => {
    const r = await run(['@private/hello@1.0.0']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^fw: .*refused @private\/hello: 401 .*no token.*\[UNAUTHORIZED\]$/)]);
  });

  it('with the secret set, the run fetches, installs and runs as that user', async () => {
    const m = new RegistrySecretsManager({ store: createStore({ driver: 'fs', root: dataDir }), dataDir, service, env: {}, actor: 'test', cacheTtl: 0 });
    await m.storeRegistryCredentials(new URL(server.url).host, { token });
    const r = await run(['@private/hello@1.0.0']);
    expect(r.code, r.stderr).toBe(0);
    const again = await run(['@private/hello']); // dist-tag: the warm path's conditional GET needs the token too
    expect(again.code, again.stderr).toBe(0);
  });

  it.each([
    ['SIGTERM', 42, 'the first run (the full runner forwards it to the bin)'],
    ['SIGTERM', 42, 'a cached run (the bin runs in the warm entry\'s own process and gets it directly)'],
    ['SIGINT', 43, 'a cached run'],
  ] as const)('%s is forwarded and the exit code is the bin\'s: %s %s', async (signal, code, _how) => {
    let sent = false;
    const r = await run(['@private/trap@1.0.0', 'x'], { FW_TOKEN: token }, (out, child) => {
      if (!sent && out.includes('ready x')) {
        sent = true;
        child.kill(signal);
      }
    });
    expect([r.code, r.stdout], r.stderr).toEqual([code, `ready x\ngot ${signal}\n`]);
  });
});
