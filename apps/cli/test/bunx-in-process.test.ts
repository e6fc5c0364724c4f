// The warm path runs a cached bin inside its own process (one Bun start fewer). What a bin sees
// there must be what it sees started on its own: each package runs first through the full runner
// (a miss: it downloads, installs and spawns `bun --bun <bin>`), then from the cache (FW_BUNX_DEBUG
// says which way the warm path took), and both runs must print the same and exit the same.
// Real processes: `bun apps/cli/src/bunx-run.cts`, as the bunx:run script starts it.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawTarGz, type RawEntry } from '../../../packages/bunx/test/_tar.ts';
import { startTestRegistry, tempDir, type TestRegistry } from '../../../packages/bunx/test/_registry.ts';

const root = resolve(import.meta.dirname, '../../..');
let reg: TestRegistry;
let home: { dir: string; remove: () => void };

function publish(name: string, bin: Record<string, string>, files: RawEntry[], pkg: Record<string, unknown> = {}) {
  const manifest = { name, version: '1.0.0', bin, ...pkg };
  reg.publish(name, '1.0.0', { tarball: rawTarGz([{ path: 'package/package.json', data: JSON.stringify(manifest) }, ...files]), bin });
}

const run = (args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home.dir, REGISTRY_URL: reg.url, BUNX_CACHE_DIR: join(home.dir, 'cache'), FW_DATA_DIR: join(home.dir, 'data'), FW_BUNX_DEBUG: '1', NO_COLOR: '1' };
    delete env.FW_TOKEN;
    const child = spawn('bun', [join(root, 'apps/cli/src/bunx-run.cts'), ...args], { cwd: home.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });

/** The debug line of the warm path, and the rest of stderr. */
const how = (stderr: string) => stderr.split('\n').find((l) => l.startsWith('bunx: warm'));

/** The first (full runner) and the second (cache hit) run of the same command line. */
async function coldThenWarm(args: string[]) {
  const cold = await run(args);
  const warm = await run(args);
  return { cold, warm };
}

beforeAll(() => {
  reg = startTestRegistry();
  home = tempDir('fw-bunx-inproc-');
  // CommonJS, asking require.main (itself and from a module it requires), setting its exit code now or later.
  publish('@ip/cjs', { cjs: 'bin/cli.js' }, [
    { path: 'package/lib.js', data: 'exports.mainFile = () => require.main && require.main.filename;\n' },
    {
      path: 'package/bin/cli.js',
      mode: 0o755,
      data: [
        '#!/usr/bin/env node',
        "const lib = require('../lib.js');",
        'const args = process.argv.slice(2);',
        "console.log(JSON.stringify({ argv1: process.argv[1], args, main: require.main === module, libSees: lib.mainFile(), execArgv: process.execArgv, path0: process.env.PATH.split(':')[0], filename: __filename, bun: typeof Bun !== 'undefined' }));",
        "if (args[0] === 'exit') setTimeout(() => process.exit(Number(args[1])), 5);",
        'else process.exitCode = Number(args[1] ?? 0);',
        '',
      ].join('\n'),
    },
  ]);
  // An ES module package: top-level await, exit code set after it.
  publish('@ip/esm', { esm: 'cli.js' }, [
    { path: 'package/cli.js', data: "await new Promise((r) => setTimeout(r, 5));\nconsole.log(JSON.stringify({ args: process.argv.slice(2), argv1: process.argv[1] }));\nprocess.exitCode = 4;\n" },
  ], { type: 'module' });
  // Asks import.meta.main, which only its own process can answer: executed.
  publish('@ip/main', { main: 'cli.mjs' }, [{ path: 'package/cli.mjs', data: 'console.log(JSON.stringify({ main: import.meta.main, args: process.argv.slice(2) }));\n' }]);
  // Top-level await in a .js of a CommonJS package: not CommonJS after all, imported as Bun would.
  publish('@ip/tla', { tla: 'cli.js' }, [{ path: 'package/cli.js', data: 'const code = await Promise.resolve(6);\nconsole.log("tla " + code);\nprocess.exitCode = code;\n' }]);
  // Depends on a package whose exports name a "source" file it does not ship (as monorepo packages
  // do): the bin must resolve it with Bun's default conditions, never the repository's `source`.
  reg.publish('@ip/dual', '1.0.0', {
    tarball: rawTarGz([
      { path: 'package/package.json', data: JSON.stringify({ name: '@ip/dual', version: '1.0.0', exports: { '.': { source: './src/index.ts', default: './index.js' } } }) },
      { path: 'package/index.js', data: "exports.where = 'dist';\n" },
    ]),
    bin: {},
  });
  reg.publish('@ip/cond', '1.0.0', {
    tarball: rawTarGz([
      { path: 'package/package.json', data: JSON.stringify({ name: '@ip/cond', version: '1.0.0', bin: { cond: 'cli.js' }, dependencies: { '@ip/dual': '1.0.0' } }) },
      { path: 'package/cli.js', data: "console.log(require('@ip/dual').where);\n" },
    ]),
    bin: { cond: 'cli.js' },
    dependencies: { '@ip/dual': '1.0.0' },
  });
  // Throws while loading.
  publish('@ip/throws', { throws: 'cli.js' }, [{ path: 'package/cli.js', data: "throw new Error('boom from the bin');\n" }]);
});

afterAll(async () => {
  await reg?.stop();
  home?.remove();
});

describe('a cached bin run in the warm entry\'s process', () => {
  it('CommonJS: same argv, execArgv, PATH, require.main and exit code as started on its own', async () => {
    const { cold, warm } = await coldThenWarm(['@ip/cjs@1.0.0', 'code', '3']);
    expect(cold.code, cold.stderr).toBe(3);
    expect(how(cold.stderr)).toMatch(/^bunx: warm path missed \((cache folder|not cached)\)$/); // the first run of all: no cache folder yet
    expect(how(warm.stderr)).toBe('bunx: warm hit, in process (cjs)');
    expect([warm.code, warm.stdout]).toEqual([cold.code, cold.stdout]);
    const seen = JSON.parse(warm.stdout) as Record<string, unknown>;
    expect(seen).toMatchObject({ args: ['code', '3'], main: true, execArgv: ['--bun'], bun: true });
    expect(seen.libSees).toBe(seen.argv1);
    expect(seen.filename).toBe(seen.argv1);
    expect(String(seen.path0)).toMatch(/@ip\+cjs@1\.0\.0\/package\/node_modules\/\.bin$/);
  });

  it('process.exit called later is the exit code; the run is recorded as the last use', async () => {
    const entry = JSON.parse((await run(['@ip/cjs@1.0.0'])).stdout) as { argv1: string };
    const lastUse = join(entry.argv1, '../../../last-use');
    const before = statSync(lastUse).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    const r = await run(['@ip/cjs@1.0.0', 'exit', '9']);
    expect([r.code, how(r.stderr)]).toEqual([9, 'bunx: warm hit, in process (cjs)']);
    expect(statSync(lastUse).mtimeMs).toBeGreaterThan(before);
  });

  it('an ES module with top-level await: imported, its exit code set after the await', async () => {
    const { cold, warm } = await coldThenWarm(['@ip/esm@1.0.0', 'a', 'b c']);
    expect(how(warm.stderr)).toBe('bunx: warm hit, in process (esm)');
    expect([warm.code, warm.stdout]).toEqual([4, cold.stdout]);
    expect(JSON.parse(warm.stdout)).toMatchObject({ args: ['a', 'b c'] });
  });

  it('a bin that asks import.meta.main is executed, and is its own main module', async () => {
    const { cold, warm } = await coldThenWarm(['@ip/main@1.0.0', 'x']);
    expect(how(warm.stderr)).toBe('bunx: warm hit, exec (asks import.meta.main or Bun.main)');
    expect([warm.code, JSON.parse(warm.stdout)]).toEqual([0, { main: true, args: ['x'] }]);
    expect(warm.stdout).toBe(cold.stdout);
  });

  it('top-level await in a .js of a CommonJS package: a parse error for CommonJS, so imported', async () => {
    const { cold, warm } = await coldThenWarm(['@ip/tla@1.0.0']);
    expect(how(warm.stderr)).toBe('bunx: warm hit, in process (cjs)');
    expect([warm.code, warm.stdout]).toEqual([6, 'tla 6\n']);
    expect([cold.code, cold.stdout]).toEqual([6, 'tla 6\n']);
  });

  it('its dependencies resolve with Bun\'s default conditions, not the repository\'s source condition', async () => {
    const { cold, warm } = await coldThenWarm(['@ip/cond@1.0.0']);
    expect(how(warm.stderr)).toBe('bunx: warm hit, in process (cjs)');
    expect([cold.code, cold.stdout], cold.stderr).toEqual([0, 'dist\n']);
    expect([warm.code, warm.stdout], warm.stderr).toEqual([0, 'dist\n']);
  });

  it('an error thrown while loading ends the run with exit code 1 and the error on stderr', async () => {
    const { cold, warm } = await coldThenWarm(['@ip/throws@1.0.0']);
    expect(how(warm.stderr)).toBe('bunx: warm hit, in process (cjs)');
    for (const r of [cold, warm]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('boom from the bin');
    }
  });
});
