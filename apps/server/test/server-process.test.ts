import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/bun.ts', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function startProcess(env: Record<string, string>, cwd: string) {
  // The default proxy follows the npm config: a closed local port here, never the internet.
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', HOME: cwd, npm_config_registry: 'http://127.0.0.1:9/' };
  delete base.REGISTRY_CONFIG;
  const child = spawn('bun', ['--conditions=source', entry], { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
      const m = /listening on (http:\/\/\S+?)\/? /.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return { child, url, exited, out: () => stdout, err: () => stderr };
}

describe('apps/server (Bun entry) as a real process', () => {
  it('starts on an ephemeral port with the fs store in FW_DATA_DIR, answers, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-server-'));
    dirs.push(dir);
    const proc = startProcess({ REGISTRY_PORT: '0', FW_DATA_DIR: join(dir, 'data') }, dir);
    const url = await proc.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/-/ping`)).json()).toEqual({});
    expect(proc.err()).toContain('  proxy:   http://127.0.0.1:9/ (npm config: npm_config_registry) for names not published here\n');
    const add = await fetch(`${url}/-/user/org.couchdb.user:alice`, { method: 'PUT', body: JSON.stringify({ name: 'alice', password: 'correct horse battery' }) });
    expect(add.status).toBe(201);
    expect(existsSync(join(dir, 'data', 'auth', 'users', 'alice.json'))).toBe(true);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.err()).toContain('registry stopped (SIGTERM)');
    // request logs: one JSON line per request, with method, path, status, ms
    const lines = proc.out().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ method: 'GET', path: '/-/ping', status: 200 });
  });

  it('reads the file REGISTRY_CONFIG names and says what it proxies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-server-'));
    dirs.push(dir);
    const file = join(dir, 'elsewhere.json5');
    writeFileSync(file, "{ uplinks: { corp: { url: 'http://127.0.0.1:9/corp/' } }, minReleaseAge: '2h', minReleaseAgeExclude: ['@types/*'], packages: [{ pattern: '@acme/*', access: ['$all'], private: true }, { pattern: '**', access: ['$all'], proxy: ['corp'] }] }");
    const proc = startProcess({ REGISTRY_PORT: '0', FW_DATA_DIR: join(dir, 'data'), REGISTRY_CONFIG: file }, dir);
    await proc.url;
    await fetch(`${await proc.url}/-/ping`);
    expect(proc.err()).toContain([
      '  proxy:   http://127.0.0.1:9/corp/ (corp) for names not published here',
      '  guard:   upstream versions younger than 2h are held back, except @types/*',
      '  private: @acme/* (never proxied)',
    ].join('\n'));
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });

  it('a bad config file is one readable line naming file and field, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-server-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'registry.config.json5'), "{ packages: [{ pattern: '**', publish: 'bob' }] }");
    const proc = startProcess({ REGISTRY_PORT: '0' }, dir);
    await proc.url.catch(() => {});
    expect(await proc.exited).toBe(1);
    expect(proc.err()).toBe(`registry: ${join(dir, 'registry.config.json5')}: packages[0].publish must be an array of strings [INVALID_CONFIG]\n`);
  });
});
