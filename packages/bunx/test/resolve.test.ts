import { describe, expect, it } from 'vitest';
import { cachedSatisfies, pickVersion, type AbbreviatedPackument } from '../src/resolve.ts';
import { parseSpec } from '../src/spec.ts';

const v = (version: string, deprecated?: string) => ({ version, dist: { tarball: `http://r/x-${version}.tgz`, integrity: 'sha512-x' }, ...(deprecated ? { deprecated } : {}) });
const doc: AbbreviatedPackument = {
  name: 'pkg',
  'dist-tags': { latest: '1.2.0', beta: '2.0.0-beta.1', old: '0.9.0' },
  versions: Object.fromEntries([
    v('0.9.0'), v('1.0.0'), v('1.1.0'), v('1.2.0'), v('1.3.0', 'broken, use 1.2.0'), v('2.0.0-beta.1'),
    v('3.0.0', 'gone'), v('3.1.0', 'gone too'),
  ].map((m) => [m.version, m])),
};

describe('pickVersion', () => {
  it.each([
    ['pkg', '1.2.0'],                 // latest dist-tag
    ['pkg@beta', '2.0.0-beta.1'],
    ['pkg@old', '0.9.0'],
    ['pkg@1.3.0', '1.3.0'],           // an exact version runs even when deprecated
    ['pkg@^1.0.0', '1.2.0'],          // 1.3.0 is deprecated: the highest that is not
    ['pkg@~1.1.0', '1.1.0'],
    ['pkg@>=1.3.0 <2', '1.3.0'],      // only a deprecated one satisfies: it is taken
    ['pkg@^3', '3.1.0'],              // all deprecated: the highest
    ['pkg@*', '1.2.0'],               // prereleases only when the range names them
    ['pkg@^2.0.0-beta.0', '2.0.0-beta.1'],
  ])('%s -> %s', (spec, expected) => {
    expect(pickVersion(doc, parseSpec(spec))).toBe(expected);
  });

  it.each(['pkg@^4', 'pkg@9.9.9', 'pkg@nope'])('%s: NO_MATCHING_VERSION with what there is', (spec) => {
    expect(() => pickVersion(doc, parseSpec(spec))).toThrow(expect.objectContaining({ code: 'NO_MATCHING_VERSION', message: expect.stringMatching(/latest: 1\.2\.0|tags: latest, beta, old/) }));
  });
});

describe('cachedSatisfies', () => {
  it.each([
    ['pkg@^1', '1.4.0', undefined, true],
    ['pkg@^1', '2.0.0', undefined, false],
    ['pkg@1.0.0', '1.0.0', undefined, true],
    ['pkg', '1.2.0', { latest: '1.2.0' }, true],
    ['pkg', '1.3.0', { latest: '1.2.0' }, false],
  ] as const)('%s with %s -> %s', (spec, version, tags, expected) => {
    expect(cachedSatisfies(parseSpec(spec), version, tags)).toBe(expected);
  });
});
