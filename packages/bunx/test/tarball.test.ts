import { existsSync, mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unpackTarball, unsafeEntry, verifyIntegrity } from '../src/tarball.ts';
import { packageTarGz, sha512, type RawEntry } from './_tar.ts';
import { tempDir } from './_registry.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
function dest() {
  const t = tempDir();
  cleanups.push(t.remove);
  const out = join(t.dir, 'out', 'package');
  mkdirSync(out, { recursive: true });
  return { root: t.dir, out, file: join(t.dir, 'p.tgz') };
}

describe('verifyIntegrity', () => {
  const bytes = packageTarGz('pkg', '1.0.0');
  it('accepts matching sha512 and returns it', () => {
    expect(verifyIntegrity(bytes, sha512(bytes), 'pkg@1.0.0')).toBe(sha512(bytes));
  });
  it('refuses bytes that do not match, naming both digests', () => {
    const other = sha512(packageTarGz('pkg', '1.0.1'));
    expect(() => verifyIntegrity(bytes, other, 'pkg@1.0.0')).toThrow(expect.objectContaining({
      code: 'INTEGRITY_MISMATCH',
      message: expect.stringContaining(`expected ${other}, got ${sha512(bytes)}`),
    }));
  });
  it.each([[undefined], ['sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk='], ['garbage']])('refuses integrity %j (no sha512)', (integrity) => {
    expect(() => verifyIntegrity(bytes, integrity, 'pkg@1.0.0')).toThrow(expect.objectContaining({ code: 'INTEGRITY_MISSING' }));
  });
});

describe('unpackTarball', () => {
  it('unpacks a normal package (top folder stripped, links inside kept)', () => {
    const d = dest();
    unpackTarball(packageTarGz('pkg', '1.0.0', [
      { path: 'package/lib/', type: '5' },
      { path: 'package/lib/a.js', data: 'a' },
      { path: 'package/lib/alias.js', type: '2', linkpath: 'a.js' },
      { path: 'package/hard.js', type: '1', linkpath: 'package/lib/a.js' },
    ]), d.file, d.out, 'pkg@1.0.0');
    expect(JSON.parse(readFileSync(join(d.out, 'package.json'), 'utf8')).name).toBe('pkg');
    expect(readlinkSync(join(d.out, 'lib/alias.js'))).toBe('a.js');
    expect(readFileSync(join(d.out, 'hard.js'), 'utf8')).toBe('a');
  });

  const hostile: Array<[string, RawEntry, RegExp]> = [
    ['a ../ path', { path: 'package/../../escaped.js', data: 'x' }, /path with "\.\."/],
    ['an absolute path', { path: '/tmp/fw-bunx-escaped.js', data: 'x' }, /absolute path/],
    ['a symlink out', { path: 'package/out', type: '2', linkpath: '../../../etc' }, /points outside/],
    ['an absolute symlink', { path: 'package/etc', type: '2', linkpath: '/etc/passwd' }, /absolute/],
    ['a hard link out', { path: 'package/passwd', type: '1', linkpath: '../etc/passwd' }, /hard link|points outside|"\.\."/],
    ['a character device', { path: 'package/null', type: '3' }, /CharacterDevice/],
    ['a FIFO', { path: 'package/fifo', type: '6' }, /FIFO/],
  ];
  it.each(hostile)('refuses %s and writes nothing', (_what, entry, message) => {
    const d = dest();
    const bytes = packageTarGz('pkg', '1.0.0', [entry]);
    expect(() => unpackTarball(bytes, d.file, d.out, 'pkg@1.0.0')).toThrow(expect.objectContaining({ code: 'UNSAFE_TARBALL', message: expect.stringMatching(message) }));
    expect(existsSync(join(d.out, 'package.json'))).toBe(false);
    expect(existsSync(join(d.root, 'escaped.js'))).toBe(false);
    expect(existsSync('/tmp/fw-bunx-escaped.js')).toBe(false);
  });

  it('a link inside may point to another folder of the package', () => {
    expect(unsafeEntry({ path: 'package/bin/cli', type: 'SymbolicLink', linkpath: '../lib/cli.js' })).toBeNull();
    expect(unsafeEntry({ path: 'package/bin/cli', type: 'SymbolicLink', linkpath: '../../cli.js' })).toMatch(/outside/);
  });

  it('refuses what is not a tarball', () => {
    const d = dest();
    expect(() => unpackTarball(new TextEncoder().encode('not a tarball at all'), d.file, d.out, 'pkg@1.0.0')).toThrow(expect.objectContaining({ code: 'UNSAFE_TARBALL' }));
  });

});
