// Issue flow: a token stored with `secrets:set registry:<host> '{"token":"..."}'` is what
// `registry:publish` uses when there is no FW_TOKEN and no npmrc. Real subprocesses, real server,
// the real keychain under CI (tooling/scripts/with-keyring.sh), else the file vault.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryDriver, wrapStore } from '@factorywager/r2-store';
import { baseConfig, withoutProxy } from '@factorywager/registry-server';
import { NPMRegistryServer } from '@factorywager/registry-server/node';
import { MASTER_KEY_ITEM, RegistrySecretsManager } from '@factorywager/secrets';
import { createStore } from '@factorywager/r2-store';

const root = resolve(import.meta.dirname, '../../..');
const service = `fw-cli-publish-${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
let dataDir: string;
let home: string;
let pkgDir: string;
let server: NPMRegistryServer;
let token: string;

function fw(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const env: NodeJS.ProcessEnv = { ...process.env, FW_DATA_DIR: dataDir, FW_KEYCHAIN_SERVICE: service, HOME: home, REGISTRY_URL: server.url, NO_COLOR: '1', FW_MASTER_KEY: '', ...extraEnv };
    delete env.FW_TOKEN;
    const child = spawn('bun', ['--conditions=source', join(root, 'apps/cli/src/bin.ts'), ...args], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

describe('registry publish with a token from the secrets manager', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fw-cli-pubsec-data-'));
    home = mkdtempSync(join(tmpdir(), 'fw-cli-pubsec-home-'));
    pkgDir = mkdtempSync(join(tmpdir(), 'fw-cli-pubsec-pkg-'));
    writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ name: 'from-secrets', version: '1.0.0', main: 'index.js' }));
    writeFileSync(join(pkgDir, 'index.js'), 'module.exports = 1;\n');
    server = await new NPMRegistryServer({ ...withoutProxy(baseConfig()), listen: { host: '127.0.0.1', port: 0 }, publicUrl: 'http://127.0.0.1:0' }, { store: wrapStore(memoryDriver()), log: false }).start();
    const res = await fetch(`${server.url}/-/user/org.couchdb.user:carol`, { method: 'PUT', body: JSON.stringify({ name: 'carol', password: 'a long enough password' }) });
    token = ((await res.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await server?.stop();
    const m = new RegistrySecretsManager({ store: createStore({ driver: 'fs', root: dataDir }), dataDir, service, env: {}, actor: 'test', cacheTtl: 0 });
    for (const s of await m.listSecrets({ includeDeleted: true }).catch(() => [])) await m.deleteSecret(s.key, { purge: true }).catch(() => undefined);
    const bun = (globalThis as { Bun?: { secrets?: { delete(o: object): Promise<boolean> } } }).Bun;
    await bun?.secrets?.delete({ service, name: MASTER_KEY_ITEM }).catch(() => undefined);
    for (const d of [dataDir, home, pkgDir]) rmSync(d, { recursive: true, force: true });
  });

  it('without any token, publish fails with one line saying how to log in', async () => {
    const r = await fw(['registry', 'publish', pkgDir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`secrets set registry:${new URL(server.url).host}`);
    expect(existsSync(join(home, '.npmrc'))).toBe(false);
  });

  it('secrets:set registry:<host> then registry:publish with no npmrc publishes as that user', async () => {
    const host = new URL(server.url).host;
    const set = await fw(['secrets', 'set', `registry:${host}`, JSON.stringify({ token })]);
    expect(set.code, set.stderr).toBe(0);
    const pub = await fw(['registry', 'publish', pkgDir]);
    expect(pub.code, pub.stderr).toBe(0);
    const doc = (await (await fetch(`${server.url}/from-secrets`)).json()) as { versions: Record<string, { _npmUser?: { name: string } }> };
    expect(doc.versions['1.0.0']?._npmUser?.name).toBe('carol');
    expect(existsSync(join(home, '.npmrc'))).toBe(false);
  });
});
