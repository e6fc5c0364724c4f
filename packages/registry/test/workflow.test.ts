import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function runExample(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Plain `bun`, no `--conditions=source`: @factorywager/registry and everything under it load from dist.
    const child = spawn('bun', ['examples/workflow.ts'], { cwd: pkgDir, env: { ...process.env, ...env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the product workflow example (examples/workflow.ts) on Bun with the built packages', () => {
  it('loads a JSON5 config, keeps the token in the secrets manager, starts the server, graphs and runs a published package', async () => {
    expect(existsSync(join(pkgDir, 'dist/index.js')), 'run `bun run build` first').toBe(true);
    const work = mkdtempSync(join(tmpdir(), 'fw-workflow-'));
    dirs.push(work);
    mkdirSync(join(work, 'home'));
    const { code, stdout, stderr } = await runExample({ FW_EXAMPLE_DIR: work, FW_DATA_DIR: join(work, 'data'), HOME: join(work, 'home') });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/@acme\/hello\s+current 1\.0\.0/);
    expect(stdout).toContain('graph TD');
    expect(stdout).toContain('1 node(s) in the D3 JSON');
    expect(stdout).toContain('resolved 1.0.0');
    expect(stdout).toContain('hello from @acme/hello world');
    // the published tarball is in the config's filesystem store, and the runner cached one entry
    expect(readdirSync(join(work, 'data/packages/@acme/hello')).some((f) => f.endsWith('.tgz'))).toBe(true);
    expect(readdirSync(join(work, 'bunx-cache')).length).toBeGreaterThan(0);
  });
});
