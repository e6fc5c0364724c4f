// The runner end to end: packages published with npm to a real registry process, then run through
// `bun run bunx:run` (the warm entry, falling back to `fw bunx run`) as a user would.
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmClient } from '../src/clients/npm.ts';
import { writePackage } from '../src/fixtures.ts';
import { addUser } from '../src/publish-doc.ts';
import { repoRoot, startRegistry, type RegistryProcess } from '../src/registry-process.ts';
import { run } from '../src/run.ts';
import { createWorkspace, type ClientWorkspace } from '../src/workspace.ts';

const UTIL = '@fw-bx/util';
const TOOL = '@fw-bx/tool';

/** A bin that prints its version, arguments and a result from its private dependency; `--exit N` sets its code. */
function toolPackage(dir: string, version: string) {
  return writePackage(dir, { name: TOOL, version, bin: { 'fw-bx-tool': 'cli.js' }, dependencies: { [UTIL]: '^1.0.0' } }, {
    'cli.js': [
      '#!/usr/bin/env node',
      `const { add } = require('${UTIL}');`,
      'const args = process.argv.slice(2);',
      `console.log(JSON.stringify({ version: ${JSON.stringify(version)}, args, sum: add(2, 3), bun: typeof Bun !== 'undefined' }));`,
      "const i = args.indexOf('--exit');",
      'process.exitCode = i >= 0 ? Number(args[i + 1]) : 0;',
      '',
    ].join('\n'),
  });
}

let registry: RegistryProcess;
let ws: ClientWorkspace;
let token = '';
let env: Record<string, string | undefined>;
const temps: string[] = [];
const temp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  temps.push(d);
  return d;
};

/** `bun run bunx:<verb> ...` from the repository, as the README says. */
const bunx = (verb: string, args: string[], extra: Record<string, string | undefined> = {}) =>
  run('bun', ['run', '--silent', `bunx:${verb}`, ...args], { cwd: repoRoot, env: { ...env, ...extra }, timeoutMs: 120_000 });
const output = (r: { stdout: string }) => JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { version: string; args: string[]; sum: number; bun: boolean };

beforeAll(async () => {
  registry = await startRegistry();
  ws = createWorkspace(registry.url);
  token = await addUser(registry.url, 'bx-user', 'bx-password-123');
  appendFileSync(ws.npmrc, `//127.0.0.1:${registry.port}/:_authToken=${token}\n`);
  const npm = npmClient(ws);
  await npm.publish(writePackage(ws.dir('util'), { name: UTIL, version: '1.0.0', main: 'index.js' }, { 'index.js': 'exports.add = (a, b) => a + b;\n' }));
  await npm.publish(toolPackage(ws.dir('tool-1.2.0'), '1.2.0'));
  await npm.publish(toolPackage(ws.dir('tool-1.3.0'), '1.3.0'));
  // Registry and token come from the user's .npmrc (npm_config_userconfig), nothing else.
  env = { ...ws.env, BUNX_CACHE_DIR: join(ws.root, 'bunx-cache'), FW_DATA_DIR: temp('fw-bx-data-'), FW_MASTER_KEY: 'an e2e master key of sixteen+ chars', REGISTRY_URL: undefined, FW_TOKEN: undefined };
}, 180_000);

afterAll(async () => {
  await registry?.stop();
  if (registry) rmSync(registry.dataDir, { recursive: true, force: true }); // stopped with keepData below
  ws?.remove();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe.sequential('bunx:run against a real registry', () => {
  it('runs a bin that depends on another private package, with its arguments, and returns its exit code', async () => {
    const r = await bunx('run', [TOOL, 'hello', 'two words', '--exit', '3']);
    expect(r.code, r.stderr).toBe(3);
    expect(output(r)).toEqual({ version: '1.3.0', args: ['hello', 'two words', '--exit', '3'], sum: 5, bun: true });
    const entry = join(env.BUNX_CACHE_DIR!, encodeURIComponent(registry.url), '@fw-bx+tool@1.3.0');
    expect(existsSync(join(entry, 'package/node_modules/@fw-bx/util/index.js'))).toBe(true);
    expect(existsSync(join(entry, 'package/.npmrc'))).toBe(false); // the install's .npmrc held only ${VAR}, and is gone
  });

  it('--node honours the shebang (the real Node runs it)', async () => {
    const r = await bunx('run', ['--node', `${TOOL}@1.3.0`, 'n']);
    expect(r.code, r.stderr).toBe(0);
    expect(output(r)).toMatchObject({ version: '1.3.0', args: ['n'], bun: false });
  });

  it('moving latest with version:rollback is seen by the next run of the dist-tag spec and not by the exact version', async () => {
    const rollback = await run('bun', ['run', '--silent', 'version:rollback', TOOL, '1.2.0', '--reason', 'e2e: bad 1.3.0', '--registry', registry.url, '--json'], { cwd: repoRoot, env });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(JSON.parse(rollback.stdout)).toMatchObject({ changed: true, plan: { tag: 'latest' } });
    expect(output(await bunx('run', [TOOL]))).toMatchObject({ version: '1.2.0', sum: 5 });
    expect(output(await bunx('run', [`${TOOL}@1.3.0`]))).toMatchObject({ version: '1.3.0' });
    const resolved = await bunx('resolve', [TOOL, '--json']);
    expect(JSON.parse(resolved.stdout)).toEqual({ name: TOOL, version: '1.2.0', registry: registry.url, source: 'registry' });
    expect((await bunx('resolve', [TOOL, '^1.0.0'])).stdout.trim()).toBe('1.3.0');
  });

  it('two concurrent first runs of the same package both succeed and leave one entry', async () => {
    const cache = temp('fw-bx-concurrent-');
    const [a, b] = await Promise.all([bunx('run', [`${TOOL}@1.3.0`, 'a'], { BUNX_CACHE_DIR: cache }), bunx('run', [`${TOOL}@1.3.0`, 'b'], { BUNX_CACHE_DIR: cache })]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    expect([output(a).args, output(b).args]).toEqual([['a'], ['b']]);
    const listed = JSON.parse((await bunx('cache', ['--json'], { BUNX_CACHE_DIR: cache })).stdout) as Array<{ name: string; version: string }>;
    expect(listed.map((e) => `${e.name}@${e.version}`)).toEqual([`${TOOL}@1.3.0`]);
    expect(readdirSync(join(cache, '.tmp'))).toEqual([]);
  });

  it('with the registry stopped: the exact version runs silently, the dist-tag runs its cached target with one warning', async () => {
    await registry.stop({ keepData: true });
    const exact = await bunx('run', [`${TOOL}@1.3.0`, 'offline-ok', '--exit', '4']);
    expect(exact.code, exact.stderr).toBe(4);
    expect(output(exact)).toMatchObject({ version: '1.3.0', args: ['offline-ok', '--exit', '4'] });
    expect(exact.stderr).toBe('');
    const tag = await bunx('run', [TOOL]);
    expect(tag.code, tag.stderr).toBe(0);
    expect(output(tag).version).toBe('1.2.0');
    expect(tag.stderr.trim().split('\n')).toEqual([`fw: warning: registry ${registry.url} unreachable; running cached ${TOOL}@1.2.0`]);
    const missing = await bunx('run', ['--offline', `${TOOL}@^2`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`fw: offline: ${TOOL}@^2 from ${registry.url} is missing from the cache (cached: 1.3.0, 1.2.0) [OFFLINE_MISS]`);
  });

  it('bunx:cache lists name, version, registry, size and last use; bunx:clean prints the bytes freed', async () => {
    const listed = JSON.parse((await bunx('cache', ['--json'])).stdout) as Array<{ name: string; version: string; registry: string; size: number; lastUsed: string }>;
    expect(listed.map((e) => [e.name, e.version, e.registry])).toEqual([[TOOL, '1.2.0', registry.url], [TOOL, '1.3.0', registry.url]]);
    expect(listed.every((e) => e.size > 1000 && Date.now() - Date.parse(e.lastUsed) < 600_000)).toBe(true);
    const table = (await bunx('cache', [])).stdout;
    expect(table).toMatch(/^NAME\s+VERSION\s+REGISTRY\s+SIZE\s+LAST USE$/m);
    expect((await bunx('clean', [])).stdout.trim()).toBe('removed 0 entries, freed 0 bytes (0 B)');
    const cleaned = await bunx('clean', ['0']);
    const total = listed.reduce((s, e) => s + e.size, 0);
    expect(cleaned.stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`^removed 2 entries, freed ${total} bytes \\(`));
    expect(JSON.parse((await bunx('cache', ['--json'])).stdout)).toEqual([]);
  });

  it('usage errors are one line and exit 2', async () => {
    const r = await bunx('run', []);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const bad = await bunx('clean', ['soon']);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, 'fw: days must be a non-negative number, got "soon"']);
  });
});
