import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/node.ts', import.meta.url));

/** The real Node on PATH: under `bun --bun`, a `node` shim that runs Bun comes first. */
function realNode(): string {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(d, 'node');
    if (!existsSync(candidate)) continue;
    const r = spawnSync(candidate, ['-e', 'process.stdout.write(typeof Bun + " " + process.version)'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.startsWith('undefined ')) return candidate;
  }
  throw new Error('no Node.js on PATH');
}
const dir = mkdtempSync(join(tmpdir(), 'fw-server-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('apps/server Node entry on the machine\'s Node (node:http adapter)', () => {
  it('bundled for Node, it serves ping, users and tokens and stops cleanly on SIGTERM', async () => {
    // Node 20 cannot load .ts; bundle the entry (and the workspace sources) into one .mjs first.
    const out = join(dir, 'server.mjs');
    const build = spawnSync('bun', ['build', '--target=node', '--conditions=source', entry, '--outfile', out], { encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);

    const node = realNode();
    expect(spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^v\d+\./);
    const child = spawn(node, [out], { cwd: dir, env: { ...process.env, REGISTRY_PORT: '0', FW_DATA_DIR: join(dir, 'data'), npm_config_registry: 'http://127.0.0.1:9/' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (c: Buffer) => {
        stderr += c;
        const m = /listening on (http:\/\/\S+?)\/? /.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    expect(await (await fetch(`${url}/-/ping`)).json()).toEqual({});
    const add = await fetch(`${url}/-/user/org.couchdb.user:alice`, { method: 'PUT', body: JSON.stringify({ name: 'alice', password: 'correct horse battery' }) });
    expect(add.status).toBe(201);
    const { token } = (await add.json()) as { token: string };
    expect(await (await fetch(`${url}/-/whoami`, { headers: { authorization: `Bearer ${token}` } })).json()).toEqual({ username: 'alice' });
    const wrong = await fetch(`${url}/-/user/org.couchdb.user:alice`, { method: 'PUT', body: JSON.stringify({ name: 'alice', password: 'not the password' }) });
    expect(wrong.status).toBe(401);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('registry stopped (SIGTERM)');
  });
});
