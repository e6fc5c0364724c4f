// The product flow of `fw secrets ...` as real subprocesses, against the real keychain when
// FW_KEYCHAIN_AVAILABLE=1 (CI runs every suite under tooling/scripts/with-keyring.sh), else the vault.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '@factorywager/r2-store';
import { MASTER_KEY_ITEM, RegistrySecretsManager } from '@factorywager/secrets';

const root = resolve(import.meta.dirname, '../../..');
const service = `fw-cli-test-${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
let dataDir: string;

function fw(args: string[], input?: string, extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('bun', ['--conditions=source', 'apps/cli/src/bin.ts', 'secrets', ...args], {
      cwd: root,
      env: { ...process.env, FW_DATA_DIR: dataDir, FW_KEYCHAIN_SERVICE: service, FW_ACTOR: 'cli-tester', NO_COLOR: '1', FW_MASTER_KEY: '', ...extraEnv },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

const manager = () => new RegistrySecretsManager({ store: createStore({ driver: 'fs', root: dataDir }), dataDir, service, env: {}, actor: 'cli-tester', cacheTtl: 0 });

describe('fw secrets (subprocesses)', () => {
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'fw-cli-secrets-'));
  });
  afterAll(async () => {
    const m = manager();
    for (const s of await m.listSecrets({ includeDeleted: true }).catch(() => [])) await m.deleteSecret(s.key, { purge: true }).catch(() => undefined);
    const bun = (globalThis as { Bun?: { secrets?: { delete(o: object): Promise<boolean> } } }).Bun;
    await bun?.secrets?.delete({ service, name: MASTER_KEY_ITEM }).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('init, set, get, rotate, versions, rollback, get: the product flow', async () => {
    const init = await fw(['init', '--json']);
    expect(init.code, init.stderr).toBe(0);
    const report = JSON.parse(init.stdout);
    expect(report.backend).toBe(process.env.FW_KEYCHAIN_AVAILABLE === '1' ? 'bun-secrets' : 'file-vault');
    expect(report.reason).toBeTruthy();
    expect((await fw(['init'])).stdout).toMatch(/backend +(OS keychain|encrypted file vault)[\s\S]*why +\S/);

    expect(await fw(['set', 'test', 'hello'])).toMatchObject({ code: 0, stdout: '✓ test v1 create\n' });
    expect(await fw(['get', 'test'])).toMatchObject({ code: 0, stdout: 'hello\n' });
    expect(await fw(['rotate', 'test', 'world'])).toMatchObject({ code: 0, stdout: '✓ test v2 rotate\n' });
    const versions = await fw(['versions', 'test']);
    expect(versions.code).toBe(0);
    expect(versions.stdout).toMatch(/v2 +rotate +\d{4}-\d{2}-\d{2} +by cli-tester[\s\S]*v1 +create +\d{4}-\d{2}-\d{2} +by cli-tester/);
    expect(await fw(['rollback', 'test', '1'])).toMatchObject({ code: 0 });
    expect(await fw(['get', 'test'])).toMatchObject({ code: 0, stdout: 'hello\n' });
    expect(await fw(['get', 'test', '--version', '2'])).toMatchObject({ code: 0, stdout: 'world\n' });
    if (process.env.FW_KEYCHAIN_AVAILABLE === '1') {
      const bun = (globalThis as unknown as { Bun: { secrets: { get(o: object): Promise<string | null> } } }).Bun;
      expect(await bun.secrets.get({ service, name: 'test' })).toBe('hello');
    }
  });

  it('--json never prints a value unless --reveal', async () => {
    await fw(['set', 'json/key', 'json-secret-value']);
    for (const args of [['get', 'json/key', '--json'], ['versions', 'json/key', '--json'], ['list', '--json'], ['audit', '--json'], ['rotate', 'json/key', 'json-secret-value-2', '--json']]) {
      const r = await fw(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout).not.toContain('json-secret-value');
      JSON.parse(r.stdout);
    }
    expect(JSON.parse((await fw(['get', 'json/key', '--json', '--reveal'])).stdout)).toEqual({ key: 'json/key', value: 'json-secret-value-2' });
  });

  it('a token stored from stdin is what getRegistryCredentials returns', async () => {
    const r = await fw(['set', 'registry:127.0.0.1:4873', '-'], '{"token":"npm_cli_token_123"}\n');
    expect(r.code, r.stderr).toBe(0);
    expect(await manager().getRegistryCredentials('http://127.0.0.1:4873/')).toEqual({ token: 'npm_cli_token_123' });
    const list = await fw(['list']);
    expect(list.stdout).toMatch(/registry:127\.0\.0\.1:4873 +v1 +\S+ +-/);
  });

  it('leaves no plaintext in the data folder after set, rotate, rollback, delete', async () => {
    const a = `cli-needle-${crypto.randomUUID()}`;
    const b = `cli-needle-${crypto.randomUUID()}`;
    for (const args of [['set', 'scan', a], ['rotate', 'scan', b], ['rollback', 'scan', '1'], ['delete', 'scan']]) {
      const r = await fw(args);
      expect(r.code, r.stderr).toBe(0);
    }
    const files = readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).map((f) => join(dataDir, f)).filter((f) => statSync(f).isFile());
    expect(files.some((f) => f.includes('scan'))).toBe(true);
    const hits = files.filter((f) => { const s = readFileSync(f); return s.includes(a) || s.includes(b); });
    expect(hits).toEqual([]);
    expect(await fw(['get', 'scan'])).toMatchObject({ code: 1 });
  });

  it('errors are one stderr line with exit 1, usage errors exit 2', async () => {
    const missing = await fw(['get', 'no-such-key']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^fw: no secret "no-such-key" \[NOT_FOUND\]\n$/);
    const bad = await fw(['set', '../etc/passwd', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^fw: invalid secret key .*\[INVALID_KEY\]\n$/);
    expect((await fw(['rollback', 'test', 'one'])).code).toBe(2);
    expect((await fw(['get'])).code).toBe(2);
    const audit = await fw(['audit', 'no-such-key']);
    expect(audit).toMatchObject({ code: 0, stdout: 'no audit entries\n' });
    const noConfig = await fw(['rotate', 'test', 'x'], undefined, { FW_CONFIG: join(dataDir, 'none.json5') });
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toMatch(/^fw: .*none\.json5.*\n$/);
  });

  it('roles from the registry config: a denied action is FORBIDDEN, names the rule and is audited', async () => {
    const config = join(dataDir, 'registry.config.json5');
    writeFileSync(config, `{
      users: { olga: { roles: ['ops'] }, root: { roles: ['admin'] } },
      secrets: {
        roles: {
          admin: [{ actions: ['read', 'write', 'rotate', 'delete'], keys: ['**'] }],
          ops: [{ actions: ['read', 'rotate'], keys: ['db/*'] }],
        },
        rotation: [{ pattern: 'db/**', maxAgeDays: 30 }],
      },
    }`);
    const as = (actor: string, args: string[]) => fw([...args, '--config', config], undefined, { FW_ACTOR: actor });
    expect(await as('root', ['set', 'db/pw', 'pw-1'])).toMatchObject({ code: 0 });
    const denied = await as('olga', ['delete', 'db/pw']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^fw: forbidden: actor "olga" with role "ops" has no grant for secrets:delete on "db\/pw".*\[FORBIDDEN\]\n$/);
    expect(await as('olga', ['rotate', 'db/pw', 'pw-2'])).toMatchObject({ code: 0 });
    expect((await as('stranger', ['get', 'db/pw'])).code).toBe(1);
    const list = await as('olga', ['list']);
    expect(list.stdout).toMatch(/db\/pw +v2 +\S+ +OK/);
    expect(list.stdout).not.toContain('test');
    const audit = JSON.parse((await as('root', ['audit', 'db/pw', '--json'])).stdout) as Array<{ actor: string; action: string; outcome: string }>;
    expect(audit.map((e) => `${e.actor}:${e.action}:${e.outcome}`)).toEqual(['root:create:ok', 'olga:delete:denied', 'olga:rotate:ok', 'stranger:read:denied']);
  });

  it('ten concurrent `secrets rotate` processes give versions 2..11 once each', async () => {
    expect(await fw(['set', 'proc/race', 'p-0'])).toMatchObject({ code: 0 });
    const runs = await Promise.all(Array.from({ length: 10 }, (_, i) => fw(['rotate', 'proc/race', `p-${i + 1}`, '--json'])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const versions = runs.map((r) => (JSON.parse(r.stdout) as { version: number }).version);
    expect([...versions].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const winner = versions.indexOf(11);
    expect(await fw(['get', 'proc/race'])).toMatchObject({ code: 0, stdout: `p-${winner + 1}\n` });
  });
});
