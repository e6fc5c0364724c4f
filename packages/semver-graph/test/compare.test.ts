import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { orderEngine, precedence, semverPrecedence } from '../src/_order.ts';
import { compareVersions, sortVersions } from '../src/index.ts';
import { REAL, loadFixture } from './_fixtures.ts';

// semver.org §11, in ascending precedence.
const SPEC_ORDER = [
  '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11',
  '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '1.10.0', '2.0.0-0', '2.0.0', '2.1.0', '2.1.1', '10.0.0',
];

describe('compareVersions', () => {
  it.each([
    ['1.2.3', '1.2.4', -1],
    ['1.2.4', '1.2.3', 1],
    ['1.2.3', '1.2.3', 0],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0-beta.11', '1.0.0-beta.2', 1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0+a', '1.0.0+b', 0],
    ['v2.0.0', '2.0.0', 0],
    ['1.0.0-1', '1.0.0-a', -1],
  ] as const)('%s vs %s is %d', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });

  it('follows the precedence of semver.org §11', () => {
    for (let i = 0; i < SPEC_ORDER.length; i++) {
      for (let j = 0; j < SPEC_ORDER.length; j++) {
        expect(compareVersions(SPEC_ORDER[i]!, SPEC_ORDER[j]!)).toBe(Math.sign(i - j));
      }
    }
  });

  it('names the invalid side', () => {
    expect(() => compareVersions('1.2.3', 'x')).toThrow(expect.objectContaining({ code: 'INVALID_VERSION', input: 'x' }));
  });
});

describe('sortVersions', () => {
  it('sorts ascending and descending, build metadata tie-broken by text', () => {
    const shuffled = [...SPEC_ORDER].reverse();
    expect(sortVersions(shuffled)).toEqual(SPEC_ORDER);
    expect(sortVersions(SPEC_ORDER, { descending: true })).toEqual([...SPEC_ORDER].reverse());
    expect(sortVersions(['1.0.0+b', '1.0.0', '1.0.0+a'])).toEqual(['1.0.0', '1.0.0+a', '1.0.0+b']);
  });

  it('does not modify its input and rejects invalid versions', () => {
    const input = ['2.0.0', '1.0.0'];
    sortVersions(input);
    expect(input).toEqual(['2.0.0', '1.0.0']);
    expect(() => sortVersions(['1.0.0', 'nope'])).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
  });
});

describe('Bun.semver.order and semver agree', () => {
  it('uses Bun.semver under Bun', () => {
    expect(orderEngine).toBe(typeof Bun === 'undefined' ? 'semver' : 'bun');
  });

  it('gives the same order over a large generated corpus and every real fixture version', () => {
    const corpus = generateCorpus(30_000, 42);
    for (const name of REAL) corpus.push(...Object.keys(loadFixture(name).versions ?? {}).filter((v) => semver.valid(v) === v));
    const tie = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const bySemver = [...corpus].sort((a, b) => semverPrecedence(a, b) || tie(a, b));
    const byEngine = [...corpus].sort((a, b) => precedence(a, b) || tie(a, b));
    expect(byEngine).toEqual(bySemver);
    expect(corpus.length).toBeGreaterThan(35_000);
    // And pairwise on a sample, where a sort could hide a disagreement.
    for (let i = 0; i + 1 < 5_000; i++) {
      expect(precedence(corpus[i]!, corpus[i + 1]!), `${corpus[i]} vs ${corpus[i + 1]}`).toBe(semverPrecedence(corpus[i]!, corpus[i + 1]!));
    }
  });
});

/** Valid versions with clashing numbers, prerelease identifiers (numeric, alphanumeric, hyphens) and build metadata. */
function generateCorpus(n: number, seed: number): string[] {
  let s = seed;
  const rand = (k: number) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % k;
  };
  const num = () => String([0, 1, 2, 9, 10, 11, 99, 100, 2024, 2 ** 31][rand(10)]);
  const words = ['alpha', 'beta', 'rc', 'next', 'canary', 'dev', 'a', 'A', 'b-1', '-', 'x-y', '0a', 'Z9'];
  const ident = () => (rand(2) ? num() : words[rand(words.length)]!);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let v = `${rand(4)}.${rand(12)}.${rand(12)}`;
    if (rand(3) > 0) v += `-${Array.from({ length: 1 + rand(3) }, ident).join('.')}`;
    if (rand(5) === 0) v += `+${Array.from({ length: 1 + rand(2) }, () => ['build', '001', 'sha', 'x-1'][rand(4)]).join('.')}`;
    out.push(v);
  }
  return out;
}
