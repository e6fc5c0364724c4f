import { describe, expect, it } from 'vitest';
import { BUMP_TYPES, recommendVersion } from '../src/index.ts';

describe('recommendVersion', () => {
  it.each([
    ['1.2.3', 'patch', undefined, '1.2.4'],
    ['1.2.3', 'minor', undefined, '1.3.0'],
    ['1.2.3', 'major', undefined, '2.0.0'],
    ['1.2.3', 'prepatch', undefined, '1.2.4-0'],
    ['1.2.3', 'preminor', 'beta', '1.3.0-beta.0'],
    ['1.2.3', 'premajor', 'rc', '2.0.0-rc.0'],
    ['1.2.3', 'prerelease', 'rc', '1.2.4-rc.0'],
    ['2.0.0-rc.0', 'prerelease', undefined, '2.0.0-rc.1'],
    ['2.0.0-rc.1', 'major', undefined, '2.0.0'],
    ['2.0.0-rc.1', 'patch', undefined, '2.0.0'],
    ['1.2.3-beta.1', 'prerelease', 'rc', '1.2.3-rc.0'],
    ['0.9.9', 'minor', undefined, '0.10.0'],
    ['v1.2.3+build.5', 'patch', undefined, '1.2.4'],
  ] as const)('%s %s %s -> %s', (current, bump, preid, next) => {
    expect(recommendVersion(current, bump, preid).next).toBe(next);
  });

  it('returns every candidate with the same preid', () => {
    const r = recommendVersion('1.2.3', 'major', 'beta');
    expect(r).toEqual({
      current: '1.2.3',
      bump: 'major',
      preid: 'beta',
      next: '2.0.0',
      candidates: {
        patch: '1.2.4', minor: '1.3.0', major: '2.0.0',
        prepatch: '1.2.4-beta.0', preminor: '1.3.0-beta.0', premajor: '2.0.0-beta.0', prerelease: '1.2.4-beta.0',
      },
    });
    expect(Object.keys(r.candidates).sort()).toEqual([...BUMP_TYPES].sort());
  });

  it('rejects a bad version, bump or preid with a code', () => {
    expect(() => recommendVersion('1.2', 'patch')).toThrow(expect.objectContaining({ code: 'INVALID_VERSION', input: '1.2' }));
    expect(() => recommendVersion('1.2.3', 'huge')).toThrow(expect.objectContaining({ code: 'INVALID_BUMP', input: 'huge' }));
    expect(() => recommendVersion('1.2.3', 'prerelease', 'be ta')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('rejects a numeric preid with a leading zero, a preid that goes back, and a bump past the largest safe number, rather than returning null, an older or an invalid version', () => {
    expect(() => recommendVersion('1.2.3', 'prepatch', '01')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', input: '01' }));
    expect(() => recommendVersion('1.2.3', 'major', '00')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    // semver.inc goes back here (1.2.3-alpha.0 < 1.2.3-beta.1): a recommendation never does
    expect(() => recommendVersion('1.2.3-beta.1', 'prerelease', 'alpha')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', input: 'alpha' }));
    expect(() => recommendVersion('1.2.3-rc.1', 'prerelease', '1')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(recommendVersion('1.2.3-beta.1', 'prepatch', 'alpha').next).toBe('1.2.4-alpha.0');
    expect(recommendVersion('1.2.3', 'prepatch', '0').next).toBe('1.2.4-0.0');
    expect(recommendVersion('1.2.3', 'prepatch', '0a').next).toBe('1.2.4-0a.0');
    expect(recommendVersion('1.2.3', 'prepatch', '-').next).toBe('1.2.4--.0');
    expect(() => recommendVersion('9007199254740991.0.0', 'major')).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
    expect(() => recommendVersion('1.2.9007199254740991', 'patch')).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
  });
});
