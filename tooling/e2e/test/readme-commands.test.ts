import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/registry-process.ts';
import { runOk } from '../src/run.ts';

// The README's two commands, as written. The test command is what .ci/run runs (so CI itself is its
// proof); the start command is followed here in a fresh clone with a clean HOME. Package caches stay
// shared (npm's and Bun's, and turbo's build cache of this checkout, so an unchanged package is restored
// rather than rebuilt), and `npm i -g` goes to a private prefix so the machine's bun is not touched.
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const commands = [...readme.matchAll(/```sh\n([^\n]+)\n```/g)].map((m) => m[1]!.trim());
const startCommand = commands.find((c) => c.endsWith('bun run registry:start'));
const testCommand = commands.find((c) => c.endsWith('bun run test:ci'));

const work = mkdtempSync(join(tmpdir(), 'fw-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the README's two commands", () => {
  it('are both in the README, and .ci/run runs the test command exactly', () => {
    expect(startCommand).toBe('npm i -g bun@1.4.4 && bun install --frozen-lockfile && bun run build && bun run registry:start');
    expect(testCommand).toBe('npm i -g bun@1.4.4 && bun install --frozen-lockfile && bun run test:ci');
    const ci = readFileSync(join(repoRoot, '.ci/run'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#') && !l.startsWith('set ') && !l.startsWith('cd '));
    expect(ci).toEqual([testCommand]);
  });

  it('the start command on a fresh clone with a clean HOME serves the embedded default on 127.0.0.1:4873', async () => {
    const clone = join(work, 'clone');
    const home = join(work, 'home');
    const prefix = join(work, 'npm-global');
    mkdirSync(home);
    await runOk('git', ['clone', '-q', repoRoot, clone]);
    const env: Record<string, string> = {
      PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
      HOME: home,
      npm_config_prefix: prefix,
      npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
      npm_config_prefer_offline: 'true',
      npm_config_update_notifier: 'false',
      BUN_INSTALL_CACHE_DIR: process.env.BUN_INSTALL_CACHE_DIR ?? join(homedir(), '.bun/install/cache'),
      TURBO_TELEMETRY_DISABLED: '1',
      TURBO_CACHE_DIR: join(repoRoot, '.turbo/cache'),
      NO_COLOR: '1',
    };
    const child = spawn('bash', ['-c', startCommand!], { cwd: clone, env, detached: true });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => out.includes('listening on http://127.0.0.1:4873') && resolve());
        child.on('close', (code) => reject(new Error(`the start command exited (${code}): ${out.slice(-2000)}`)));
      });
      const ping = await fetch('http://127.0.0.1:4873/-/ping');
      expect(ping.status).toBe(200);
      expect(out).toContain(`storage: fs ${join(clone, '.factorywager')}`);
    } finally {
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
      await closed;
    }
  }, 600_000);
});
