import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = 'packages/semver-graph/test/fixtures';

/** Runs the real CLI in a subprocess from the repo root, as `bun run version:*` does. */
function fw(...args: string[]) {
  const r = spawnSync('bun', ['--conditions=source', 'apps/cli/src/bin.ts', 'version', ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, REGISTRY_URL: 'http://127.0.0.1:9' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(r: ReturnType<typeof fw>, code: number, text: string | RegExp) {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(text);
  expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/); // no stack
}

const tmp = mkdtempSync(join(tmpdir(), 'fw-version-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fw version parse', () => {
  it('prints the parts, or JSON', () => {
    const r = fw('parse', '1.2.3-beta.2+sha.5');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('1.2.3-beta.2\n  major      1\n  minor      2\n  patch      3\n  prerelease beta.2\n  build      sha.5\n');
    expect(JSON.parse(fw('parse', '1.2.3', '--json').stdout)).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [], build: [], version: '1.2.3', raw: '1.2.3' });
  });

  it('a bad version is one clear line and exit 1', () => {
    expectOneLineError(fw('parse', '1.2'), 1, /^fw: invalid version "1\.2": expected MAJOR\.MINOR\.PATCH/);
  });

  it('usage errors exit 2: unknown flag, missing or extra argument', () => {
    expectOneLineError(fw('parse', '1.2.3', '--bogus'), 2, /Unknown option '--bogus'/);
    expectOneLineError(fw('parse'), 2, /usage: fw version parse <version>/);
    expectOneLineError(fw('parse', '1.2.3', '1.2.4'), 2, /usage: fw version parse/);
    expectOneLineError(fw('frobnicate'), 2, /unknown command "version frobnicate"/);
  });

  it('--help', () => {
    const r = fw('parse', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: fw version parse <version>');
  });
});

describe('fw version compare', () => {
  it('prints the relation, or -1/0/1 with --json', () => {
    expect(fw('compare', '1.2.3', '1.2.4')).toMatchObject({ code: 0, stdout: '1.2.3 < 1.2.4\n', stderr: '' });
    expect(fw('compare', '1.2.3', '1.2.4', '--json').stdout).toBe('-1\n');
    expect(fw('compare', '2.0.0', '2.0.0-rc.1', '--json').stdout).toBe('1\n');
    expect(fw('compare', '1.0.0+a', '1.0.0+b').stdout).toBe('1.0.0+a = 1.0.0+b\n');
  });

  it('names the bad side', () => {
    expectOneLineError(fw('compare', '1.2.3', 'nope'), 1, /invalid version "nope"/);
  });
});

describe('fw version recommend', () => {
  it('prints the next version first, then every candidate', () => {
    const r = fw('recommend', '1.2.3', 'major');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('2.0.0');
    expect(r.stdout).toContain('  premajor   2.0.0-0');
    const json = JSON.parse(fw('recommend', '1.2.3', 'premajor', '--preid', 'rc', '--json').stdout);
    expect(json).toMatchObject({ current: '1.2.3', bump: 'premajor', preid: 'rc', next: '2.0.0-rc.0' });
    expect(Object.keys(json.candidates)).toHaveLength(7);
  });

  it('rejects a bad bump and a bad preid', () => {
    expectOneLineError(fw('recommend', '1.2.3', 'huge'), 1, /invalid bump "huge": expected one of patch, minor, major/);
    expectOneLineError(fw('recommend', '1.2.3', 'prerelease', '--preid', 'a b'), 1, /invalid preid/);
  });
});

describe('fw version graph', () => {
  it('ascii from a real packument file, with a limit', () => {
    const r = fw('graph', 'express', 'ascii', '--file', `${fixtures}/express.json.gz`, '--limit', '4');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('📦 express  current 5.3.0 · 290 versions');
    expect(lines[1]).toMatch(/^├── 5\.3\.0 {2}\[Current\] {2}‹latest› {2}\d{4}-\d\d-\d\d/);
    expect(lines[2]).toMatch(/^├── 5\.2\.1 {2}\[Rollback Ready\]/);
    expect(lines.at(-1)).toBe('└── ... 286 older versions');
    expect(lines).toHaveLength(6);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('shows deprecated versions and a rollback that skips them (core-js)', () => {
    const r = fw('graph', 'core-js', '--file', `${fixtures}/core-js.json.gz`, '--range', '>=3.22.0 <3.24.0');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/├── 3\.23\.2 {2}\[Deprecated\]/);
    expect(r.stdout).toContain('⚠ core-js@<3.23.3 is no longer maintained');
    expect(r.stdout).toMatch(/3\.23\.3 {2}\[Archived\]/);
  });

  it('mermaid and json for a large real packument (typescript, 3,000+ versions)', () => {
    const mermaid = fw('graph', 'typescript', 'mermaid', '--file', `${fixtures}/typescript.json.gz`, '--range', '>=5.0.0 <5.1.0');
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout).toContain('graph TD\n  subgraph history["Version History"]');
    expect(mermaid.stdout).toMatch(/v5_\d_0_dev_\d+ -->\|prerelease\| v5_\d_0_dev_\d+/);

    const json = JSON.parse(fw('graph', 'typescript', 'json', '--file', `${fixtures}/typescript.json.gz`).stdout);
    expect(json.nodes.length).toBeGreaterThan(3_000);
    expect(json).toMatchObject({ name: 'typescript', current: '7.0.2' });
    expect(json.nodes[0]).toEqual(expect.objectContaining({ id: expect.any(String), status: expect.any(String), tags: expect.any(Array) }));
    // --json is the same as the json format.
    expect(JSON.parse(fw('graph', 'typescript', '--json', '--file', `${fixtures}/typescript.json.gz`, '--limit', '3').stdout).nodes).toHaveLength(3);
  });

  it('svg: a standalone picture with one node per version (typescript, 3,000+ versions)', () => {
    const all = JSON.parse(fw('graph', 'typescript', 'json', '--file', `${fixtures}/typescript.json.gz`).stdout);
    const r = fw('graph', 'typescript', 'svg', '--file', `${fixtures}/typescript.json.gz`);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(r.stdout.trimEnd().endsWith('</svg>')).toBe(true);
    expect(r.stdout.match(/class="fw-node /g)).toHaveLength(all.nodes.length);
    expect(r.stdout).toContain('data-version="7.0.2"');
    expectOneLineError(fw('graph', 'typescript', 'png', '--file', `${fixtures}/typescript.json.gz`), 2, /unknown format "png" \(try: ascii, mermaid, json, svg\)/);
  });

  it('reads a plain JSON file and filters by date', () => {
    const file = join(tmp, 'demo.json');
    writeFileSync(file, JSON.stringify({
      name: 'demo',
      'dist-tags': { latest: '1.1.0' },
      versions: { '1.0.0': {}, '1.1.0': {} },
      time: { '1.0.0': '2020-01-01T00:00:00Z', '1.1.0': '2024-01-01T00:00:00Z' },
    }));
    const r = fw('graph', 'demo', '--file', file, '--since', '2023-01-01');
    expect(r.stdout).toBe('📦 demo  current 1.1.0 · 1 version\n└── 1.1.0  [Current]  ‹latest›  2024-01-01\n');
  });

  it('ends quietly when the reader closes the pipe early (| head)', async () => {
    const child = spawn('bun', ['--conditions=source', 'apps/cli/src/bin.ts', 'version', 'graph', 'typescript', 'json', '--file', `${fixtures}/typescript.json.gz`], {
      cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('errors: missing file, wrong package, bad option values, unknown format, unreachable registry', () => {
    expectOneLineError(fw('graph', 'x', '--file', join(tmp, 'missing.json')), 1, /cannot read packument .*missing\.json: no such file/);
    expectOneLineError(fw('graph', 'lodash', '--file', `${fixtures}/express.json.gz`), 1, /is the packument of express, not lodash/);
    expectOneLineError(fw('graph', 'express', '--file', `${fixtures}/express.json.gz`, '--range', '>>1'), 2, /^fw: --range: invalid semver range ">>1"\n$/);
    expectOneLineError(fw('graph', 'express', '--file', `${fixtures}/express.json.gz`, '--since', 'someday'), 2, /^fw: invalid date "someday" for --since/);
    // usage errors before any request: the registry given (a closed port) is never asked
    expectOneLineError(fw('graph', 'express', '--range', '>=garbage'), 2, /--range: invalid semver range ">=garbage"/);
    expectOneLineError(fw('graph', 'express', '--limit', '0'), 2, /--limit must be a positive whole number/);
    expectOneLineError(fw('graph', 'express', 'dot'), 2, /unknown format "dot"/);
    expectOneLineError(fw('graph', 'express'), 1, /cannot reach http:\/\/127\.0\.0\.1:9 for express.*\[FETCH_FAILED\]/);
  });
});
