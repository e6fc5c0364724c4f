import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@factorywager/e2e';
import { rawTarGz } from '../../../packages/bunx/test/_tar.ts';
import { startTestRegistry } from '../../../packages/bunx/test/_registry.ts';

// `bun run build` compiles apps/cli/src/bin.ts into one executable (bun build --compile --splitting:
// command areas stay lazy chunks inside it). It must run with no Bun on PATH and no node_modules.
const built = fileURLToPath(new URL('../dist/fw', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fw-single-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { PATH: '/nonexistent', HOME: dir, NO_COLOR: '1', FW_DATA_DIR: join(dir, 'data') };

function fw(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(dir, 'fw'), args, { cwd: dir, env: { ...env, ...extra } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the single-file fw executable in an empty folder', () => {
  it('is built by bun run build and runs alone', () => {
    expect(existsSync(built), 'run `bun run build` first').toBe(true);
    copyFileSync(built, join(dir, 'fw'));
    expect(readdirSync(dir)).toEqual(['fw']);
  });

  it('fw --help lists every command area', async () => {
    const { code, stdout } = await fw(['--help']);
    expect(code).toBe(0);
    for (const area of ['version', 'secrets', 'registry', 'bunx', 'pkg', 'sync', 'rss']) expect(stdout).toContain(`  ${area}`);
  });

  it('fw version graph --file draws a packument', async () => {
    const versions = ['1.0.0', '1.1.0', '2.0.0'];
    writeFileSync(join(dir, 'demo.json'), JSON.stringify({
      name: 'demo', 'dist-tags': { latest: '2.0.0' },
      versions: Object.fromEntries(versions.map((v) => [v, { name: 'demo', version: v }])),
      time: Object.fromEntries(versions.map((v, i) => [v, `2026-0${i + 1}-01T00:00:00Z`])),
    }));
    const ascii = await fw(['version', 'graph', 'demo', '--file', 'demo.json']);
    expect(ascii.code, ascii.stderr).toBe(0);
    for (const v of versions) expect(ascii.stdout).toContain(v);
    const json = await fw(['version', 'graph', 'demo', 'json', '--file', 'demo.json']);
    expect((JSON.parse(json.stdout) as { nodes: unknown[] }).nodes).toHaveLength(3);
  });

  it('fw registry start serves the registry and the web page, then stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(join(dir, 'fw'), ['registry', 'start', '--port', String(port), '--no-proxy'], { cwd: dir, env });
    let out = '';
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('listening')) resolve();
      });
      child.on('close', () => reject(new Error(`fw registry start exited: ${out}`)));
    });
    const ping = await fetch(`http://127.0.0.1:${port}/-/ping`);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(ping.status).toBe(200);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('FactoryWager Registry');
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
    expect(existsSync(join(dir, 'data'))).toBe(true);
  }, 30_000);

  it('fw bunx run installs and runs a package (with a private dependency) with no Bun on PATH, then runs it from the cache', async () => {
    // The executable is the Bun runtime; it acts as the bun CLI (install, `bun --bun <bin>`) with BUN_BE_BUN=1.
    const reg = startTestRegistry();
    try {
      const pkg = (name: string, manifest: object, files: Record<string, string>) =>
        rawTarGz([{ path: 'package/package.json', data: JSON.stringify({ name, version: '1.0.0', ...manifest }) }, ...Object.entries(files).map(([f, data]) => ({ path: `package/${f}`, data }))]);
      reg.publish('@sf/util', '1.0.0', { tarball: pkg('@sf/util', { main: 'index.js' }, { 'index.js': 'exports.add = (a, b) => a + b;\n' }), bin: {} });
      const cli = "#!/usr/bin/env node\nconst { add } = require('@sf/util');\nconsole.log('sum ' + add(2, 3) + ' ' + process.argv.slice(2).join(' '));\nprocess.exitCode = 5;\n";
      reg.publish('@sf/tool', '1.0.0', { tarball: pkg('@sf/tool', { bin: { tool: 'cli.js' }, dependencies: { '@sf/util': '^1.0.0' } }, { 'cli.js': cli }), bin: { tool: 'cli.js' }, dependencies: { '@sf/util': '^1.0.0' } });
      const extra = { REGISTRY_URL: reg.url, BUNX_CACHE_DIR: join(dir, 'bunx-cache'), FW_BUNX_DEBUG: '1' };
      const cold = await fw(['bunx', 'run', '@sf/tool@1.0.0', 'a', 'b'], extra);
      expect([cold.code, cold.stdout], cold.stderr).toEqual([5, 'sum 5 a b\n']);
      const warm = await fw(['bunx', 'run', '@sf/tool@1.0.0', 'a', 'b'], extra);
      expect([warm.code, warm.stdout], warm.stderr).toEqual([5, 'sum 5 a b\n']);
      expect(warm.stderr).toContain('bunx: warm hit, in process (esm)'); // no CommonJS main module in the executable: imported
      expect(reg.requests.filter((r) => r.path === '/@sf/tool')).toHaveLength(1); // the warm run asked nothing
    } finally {
      await reg.stop();
    }
  }, 60_000);
});
