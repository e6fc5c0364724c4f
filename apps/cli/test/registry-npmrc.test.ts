import { describe, expect, it } from 'vitest';
import { resolveToken, tokenFromNpmrc, type TokenSource } from '../src/commands/_registry-client.ts';
import { ignoreFilter } from '../src/commands/_registry-pack.ts';

describe('tokenFromNpmrc', () => {
  const rc = [
    'registry=http://127.0.0.1:4873/',
    '//127.0.0.1:4873/:_authToken=local-token',
    '//npm.corp.example/:_authToken="corp-root"',
    '//npm.corp.example/team/:_authToken=${TEAM_TOKEN}',
    '; a comment',
  ].join('\n');
  it.each([
    ['http://127.0.0.1:4873', 'local-token'],
    ['http://127.0.0.1:4873/', 'local-token'],
    ['http://127.0.0.1:4874', null],
    ['https://npm.corp.example', 'corp-root'],
    ['https://npm.corp.example/team/', 'from-env'],
    ['https://npm.corp.example/other/', 'corp-root'],
  ])('%s -> %s', (registry, expected) => {
    expect(tokenFromNpmrc(rc, registry, { TEAM_TOKEN: 'from-env' })).toBe(expected);
  });
});

describe('resolveToken', () => {
  it('takes the first source that has a token, in order', async () => {
    const calls: string[] = [];
    const source = (name: string, token: string | null): TokenSource => ({ name, token: async () => (calls.push(name), token) });
    expect(await resolveToken('http://x', [source('a', null), source('b', 'tb'), source('c', 'tc')])).toBe('tb');
    expect(calls).toEqual(['a', 'b']);
    expect(await resolveToken('http://x', [source('a', null)])).toBeNull();
  });
});

describe('ignore rules', () => {
  it.each([
    [['*.test.js'], 'lib/a.test.js', true],
    [['*.test.js'], 'lib/a.js', false],
    [['/lib'], 'lib/a.js', true],
    [['/lib'], 'src/lib/a.js', false],
    [['lib/'], 'src/lib/a.js', true],
    [['docs/**/*.md'], 'docs/a/b.md', true],
    [['*.md', '!README.md'], 'README.md', false],
    [['# comment', ''], 'a', false],
  ])('%j %s -> %s', (lines, path, expected) => {
    expect(ignoreFilter(lines).ignores(path)).toBe(expected);
  });
});
