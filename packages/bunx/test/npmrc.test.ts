import { describe, expect, it } from 'vitest';
import { parseNpmrc, registryFromNpmrc, tokenFromNpmrc } from '../src/_npmrc.ts';

const rc = parseNpmrc([
  'registry=https://npm.corp.example/team/',
  '@acme:registry = http://127.0.0.1:4873/',
  '//127.0.0.1:4873/:_authToken=local-token',
  '//npm.corp.example/:_authToken="corp-root"',
  '//npm.corp.example/team/:_authToken=${TEAM_TOKEN}',
  '//npm.corp.example/deep/path:_authToken=no-slash',
  '; a comment',
  '# another',
  'not a pair',
].join('\n'), { TEAM_TOKEN: 'from-env' });

describe('.npmrc', () => {
  it('scope registries, then registry', () => {
    expect(registryFromNpmrc(rc, '@acme/cli')).toBe('http://127.0.0.1:4873/');
    expect(registryFromNpmrc(rc, '@other/cli')).toBe('https://npm.corp.example/team/');
    expect(registryFromNpmrc(rc, 'plain')).toBe('https://npm.corp.example/team/');
    expect(registryFromNpmrc(new Map(), 'plain')).toBeNull();
  });

  it.each([
    ['http://127.0.0.1:4873/', 'local-token'],
    ['http://127.0.0.1:4873/@acme%2fcli', 'local-token'],
    ['http://127.0.0.1:4874/', null],
    ['https://npm.corp.example/', 'corp-root'],
    ['https://npm.corp.example/team/', 'from-env'],
    ['https://npm.corp.example/team/pkg/-/pkg-1.0.0.tgz', 'from-env'],   // walks up the path
    ['https://npm.corp.example/other/', 'corp-root'],
    ['https://npm.corp.example/deep/path/x.tgz', 'no-slash'],            // //host/path:_authToken without the slash
    ['https://evil.example/npm.corp.example/team/', null],
  ])('token for %s -> %s', (url, expected) => {
    expect(tokenFromNpmrc(rc, url)).toBe(expected);
  });

  it('an escaped ${VAR} stays literal', () => {
    expect(parseNpmrc('a=\\${X}', { X: 'y' }).get('a')).toBe('${X}');
  });
});
