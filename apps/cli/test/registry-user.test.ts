// `fw registry user add|delete` as real subprocesses against the fs store a running registry serves.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NPMRegistryServer, loadRegistryConfig } from '@factorywager/registry-server/node';

const root = resolve(import.meta.dirname, '../../..');
let dir: string;
let server: NPMRegistryServer;

function fw(args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('bun', ['--conditions=source', 'apps/cli/src/bin.ts', 'registry', 'user', ...args, '--config', join(dir, 'registry.config.json5')], {
      cwd: root, env: { ...process.env, NO_COLOR: '1', FW_DATA_DIR: '' }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

const login = (name: string, password: string) => fetch(`${server.url}/-/user/org.couchdb.user:${name}`, {
  method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }),
});

describe('fw registry user (subprocesses)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fw-cli-user-'));
    writeFileSync(join(dir, 'registry.config.json5'), `{ storage: { driver: 'fs', root: ${JSON.stringify(join(dir, 'data'))} }, listen: { port: 0 }, users: { alice: { roles: ['admins'] } } }`);
    const config = await loadRegistryConfig({ path: join(dir, 'registry.config.json5'), env: {} });
    server = await new NPMRegistryServer(config, { log: false }).start();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('add creates the account the config names (open sign-up may not); delete revokes its tokens at once', async () => {
    expect((await login('alice', 'alices long password')).status).toBe(403);
    const added = await fw(['add', 'alice', '--json'], 'alices long password\n');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'alice', id: expect.any(String) });
    const again = await fw(['add', 'alice'], 'whatever password\n');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^fw: user alice exists \[CONFLICT\]\n$/);

    const res = await login('alice', 'alices long password');
    expect(res.status).toBe(201);
    const { token } = (await res.json()) as { token: string };
    const whoami = () => fetch(`${server.url}/-/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect((await whoami()).status).toBe(200);

    const deleted = await fw(['delete', 'alice']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'deleted user alice; revoked 1 token\n', stderr: '' });
    expect((await whoami()).status).toBe(401);
    expect((await login('alice', 'alices long password')).status).toBe(403);

    expect((await fw(['delete', 'alice'])).stderr).toMatch(/no user alice \[NOT_FOUND\]/);
    expect((await fw(['add', 'bob'], '')).code).toBe(2);
    expect((await fw(['rename', 'bob'])).code).toBe(2);
    expect((await fw(['add', '../etc'], 'a long password\n')).stderr).toMatch(/invalid user name/);
  });

  it('add --iterations sets the hash cost (100,000 for a registry on Cloudflare Workers); a bad count is a usage error', async () => {
    const added = await fw(['add', 'carol', '--iterations', '100000', '--json'], 'carols long password\n');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const stored = JSON.parse(readFileSync(join(dir, 'data', 'auth', 'users', 'carol.json'), 'utf8')) as { password: { iterations: number } };
    expect(stored.password.iterations).toBe(100_000);
    expect((await login('carol', 'carols long password')).status).toBe(201);
    const bad = await fw(['add', 'dave', '--iterations', '5e5'], 'daves long password\n');
    expect(bad).toMatchObject({ code: 2, stdout: '', stderr: 'fw: --iterations must be a whole number from 10000 to 10000000, got "5e5"\n' });
  });
});
