import { describe, expect, it } from 'vitest';
import { isValidVersion, parseVersion } from '../src/index.ts';

describe('parseVersion', () => {
  it.each([
    ['1.2.3', { major: 1, minor: 2, patch: 3, prerelease: [], build: [], version: '1.2.3' }],
    ['v1.2.3', { major: 1, minor: 2, patch: 3, prerelease: [], build: [], version: '1.2.3' }],
    ['1.2.3-beta.2', { major: 1, minor: 2, patch: 3, prerelease: ['beta', 2], build: [], version: '1.2.3-beta.2' }],
    ['1.2.3-beta.2+sha.5', { major: 1, minor: 2, patch: 3, prerelease: ['beta', 2], build: ['sha', '5'], version: '1.2.3-beta.2' }],
    ['0.0.0-experimental-2024', { major: 0, minor: 0, patch: 0, prerelease: ['experimental-2024'], build: [], version: '0.0.0-experimental-2024' }],
    ['10.20.30+build.001', { major: 10, minor: 20, patch: 30, prerelease: [], build: ['build', '001'], version: '10.20.30' }],
    ['1.0.0-x-y-z.--', { major: 1, minor: 0, patch: 0, prerelease: ['x-y-z', '--'], build: [], version: '1.0.0-x-y-z.--' }],
  ])('parses %s', (input, expected) => {
    expect(parseVersion(input)).toEqual({ ...expected, raw: input });
  });

  it.each(['1.2', '1', '', 'a.b.c', '1.2.3.4', '01.2.3', '1.2.3-', '1.2.3-01', '1.2.3+', '1.2.3-be$ta', 'latest', ' '])(
    'rejects %j with INVALID_VERSION naming the input',
    (input) => {
      try {
        parseVersion(input);
        expect.unreachable();
      } catch (err) {
        const e = err as { code: string; message: string; input: string };
        expect(e.code).toBe('INVALID_VERSION');
        expect(e.input).toBe(input);
        expect(e.message).toContain(JSON.stringify(input));
      }
    },
  );

  it('rejects non-strings', () => {
    expect(() => parseVersion(undefined as unknown as string)).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
  });

  it('isValidVersion', () => {
    expect(isValidVersion('1.2.3-rc.1')).toBe(true);
    expect(isValidVersion('1.2')).toBe(false);
  });
});
