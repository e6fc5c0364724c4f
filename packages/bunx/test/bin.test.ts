import { describe, expect, it } from 'vitest';
import { binCommand, binEnv, binFile, binMap, chooseBin, selfBun } from '../src/_bin.ts';
import { parentDir } from '../src/_npmrc.ts';

describe('bins', () => {
  it.each([
    ['cli.js', '/c/package/cli.js'],
    ['./bin/../lib/cli.js', '/c/package/lib/cli.js'],
    ['bin\\cli.js', '/c/package/bin/cli.js'],
    ['../cli.js', null],
    ['bin/../../cli.js', null],
    ['/etc/passwd', null],
    ['C:/x.js', null],
    ['.', null],
  ])('binFile(%j) = %j', (path, expected) => {
    expect(binFile('/c/package', path)).toBe(expected);
  });

  it('binMap names a string bin after the package, without its scope', () => {
    expect(binMap('@acme/cli', 'bin.js')).toEqual({ cli: 'bin.js' });
    expect(binMap('x', { a: 'a.js', b: 3, c: '' })).toEqual({ a: 'a.js' });
    expect(binMap('x', undefined)).toEqual({});
  });

  it.each([
    [{ only: 'a.js' }, undefined, 'only'],
    [{ cli: 'a.js', other: 'b.js' }, undefined, 'cli'],
    [{ cli: 'a.js', other: 'b.js' }, 'other', 'other'],
  ])('chooseBin(%j, %s) picks %s', (bins, requested, name) => {
    expect(chooseBin('@acme/cli', bins, requested)).toMatchObject({ ok: true, name });
  });

  it('several bins and none named like the package: an error naming them', () => {
    expect(chooseBin('@acme/cli', { a: 'a.js', b: 'b.js' })).toEqual({ ok: false, message: '@acme/cli has several bins (a, b): choose one with --bin' });
    expect(chooseBin('@acme/cli', {})).toEqual({ ok: false, message: '@acme/cli has no bin to run' });
  });

  it('runs under bun --bun by default, the file itself under --node (its shebang), .bin first on PATH', () => {
    expect(binCommand({ file: '/p/cli.js', args: ['-h'], bun: '/usr/bin/bun' })).toEqual(['/usr/bin/bun', '--bun', '/p/cli.js', '-h']);
    expect(binCommand({ file: '/p/cli.js', args: ['-h'], runtime: 'node' })).toEqual(['/p/cli.js', '-h']);
    expect(binEnv('/p', { PATH: '/tmp/bun-node-0-abc:/usr/bin', X: '1' }).PATH).toBe('/p/node_modules/.bin:/tmp/bun-node-0-abc:/usr/bin');
    expect(binEnv('/p', { PATH: '/tmp/bun-node-0-abc:/usr/bin' }, 'node').PATH).toBe('/p/node_modules/.bin:/usr/bin');
  });
});

describe('selfBun', () => {
  it('under bun: this executable, with nothing added to the environment (the single-file fw adds BUN_BE_BUN: apps/cli/test/single-file.test.ts)', () => {
    expect(selfBun()).toEqual({ bun: process.execPath, env: {} });
  });
});

describe('parentDir', () => {
  it.each([['/a/b', '/a'], ['/a/b/', '/a'], ['/a', '/'], ['/', '/'], ['C:\\x\\y', 'C:\\x'], ['C:\\x', 'C:\\']])('%s -> %s', (dir, parent) => {
    expect(parentDir(dir)).toBe(parent);
  });
});

describe('dependencies', () => {
  it('scopes of names and alias targets all point at the registry', async () => {
    const { dependencyScopes } = await import('../src/install.ts');
    expect(dependencyScopes({ '@acme/util': '^1', lodash: '^4', x: 'npm:@other/y@^1', y: 'npm:plain@1' })).toEqual(['@acme', '@other']);
  });

  it.each([
    [{ a: '^1.0.0', b: '1.2.3', c: 'latest', d: '*', e: 'npm:@acme/e@^2' }, null],
    [{ evil: 'git+https://example.com/x.git' }, /evil@"git\+https/],
    [{ evil: 'github:user/repo' }, /would not come from the registry/],
    [{ evil: 'file:../../etc' }, /would not come from the registry/],
    [{ evil: 'https://example.com/x.tgz' }, /would not come from the registry/],
    [{ evil: 'workspace:*' }, /would not come from the registry/],
    [{ evil: 'link:../x' }, /would not come from the registry/],
    [{ evil: 'npm:other@git+https://x/y.git' }, /would not come from the registry/],
    [{ evil: 42 }, /would not come from the registry/],
  ] as const)('%j', async (deps, refused) => {
    const { assertRegistryDependencies } = await import('../src/install.ts');
    const run = () => assertRegistryDependencies(deps, 'p@1.0.0');
    if (refused) expect(run).toThrow(expect.objectContaining({ code: 'INSTALL_FAILED', message: expect.stringMatching(refused) }));
    else expect(run).not.toThrow();
  });
});
