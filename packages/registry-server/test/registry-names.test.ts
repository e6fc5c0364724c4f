import { describe, expect, it } from 'vitest';
import { assertPackageName, assertTag, assertVersion, parsePackagePath, tarballFile, versionOfTarball } from '../src/_names.ts';

const codeOf = (fn: () => unknown) => { try { fn(); return 'ok'; } catch (err) { return (err as { code: string }).code; } };

describe('names, versions, tags and paths', () => {
  it.each([
    ['left-pad', false, 'ok'], ['@acme/ui', false, 'ok'], ['@acme/ui', true, 'ok'], ['JSONStream', false, 'ok'],
    ['JSONStream', true, 'INVALID_NAME'], ['http', true, 'INVALID_NAME'], ['../etc', false, 'INVALID_NAME'],
    ['@../x', false, 'INVALID_NAME'], ['@acme/../x', false, 'INVALID_NAME'], ['@acme', false, 'INVALID_NAME'],
    ['@acme/ui/extra', false, 'INVALID_NAME'], ['', false, 'INVALID_NAME'], ['_private', false, 'INVALID_NAME'],
    ['a b', false, 'INVALID_NAME'], ['a'.repeat(215), false, 'INVALID_NAME'], ['node_modules', false, 'INVALID_NAME'],
  ])('name %j (publish: %s) -> %s', (name, forPublish, code) => {
    expect(codeOf(() => assertPackageName(name, forPublish))).toBe(code);
  });

  it.each([
    ['1.0.0', 'ok'], ['1.0.0-beta.1', 'ok'], ['1.0.0+build', 'INVALID_VERSION'], ['v1.0.0', 'INVALID_VERSION'],
    ['1.0', 'INVALID_VERSION'], [' 1.0.0', 'INVALID_VERSION'], [7, 'INVALID_VERSION'], ['../1.0.0', 'INVALID_VERSION'],
  ])('version %j -> %s', (version, code) => {
    expect(codeOf(() => assertVersion(version))).toBe(code);
  });

  it.each([['latest', 'ok'], ['next', 'ok'], ['1.0.0', 'BAD_REQUEST'], ['^1', 'BAD_REQUEST'], ['a/b', 'BAD_REQUEST'], ['', 'BAD_REQUEST'], ['__proto__', 'BAD_REQUEST'], ['constructor', 'ok']])(
    'tag %j -> %s', (tag, code) => expect(codeOf(() => assertTag(tag))).toBe(code),
  );

  it('maps tarball files to versions and back, scoped or not', () => {
    expect(tarballFile('@acme/ui', '1.2.3')).toBe('ui-1.2.3.tgz');
    expect(versionOfTarball('@acme/ui', 'ui-1.2.3.tgz')).toBe('1.2.3');
    expect(versionOfTarball('ui-kit', 'ui-kit-2.0.0-rc.1.tgz')).toBe('2.0.0-rc.1');
    expect(versionOfTarball('ui', 'ui-kit-2.0.0.tgz')).toBeNull();
    expect(versionOfTarball('ui', 'ui-../../x.tgz')).toBeNull();
  });

  it('splits raw paths in both scoped forms', () => {
    expect(parsePackagePath(['@acme%2fui', '-', 'ui-1.0.0.tgz'])).toEqual({ name: '@acme/ui', rest: ['-', 'ui-1.0.0.tgz'] });
    expect(parsePackagePath(['@acme', 'ui', '-rev', '3-abc'])).toEqual({ name: '@acme/ui', rest: ['-rev', '3-abc'] });
    expect(parsePackagePath(['left-pad'])).toEqual({ name: 'left-pad', rest: [] });
    expect(codeOf(() => parsePackagePath(['%E0%A4%A']))).toBe('BAD_REQUEST');
  });
});
