import { describe, expect, it } from 'vitest';
import { checkAccess, matchPackagePattern, needsMaintainer } from '../src/auth/access.ts';
import type { Principal } from '../src/auth/types.ts';
import type { PackageRule } from '../src/config/types.ts';

const rules: PackageRule[] = [
  { pattern: '@secret/*', access: ['admins'], publish: ['admins'], unpublish: ['admins'] },
  { pattern: '@acme/*', access: ['$authenticated'], publish: ['dev', 'bob'], unpublish: ['admins'] },
  { pattern: 'public-*', access: ['$anonymous', 'bob'], publish: ['$authenticated'], unpublish: [] },
  { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] },
];
const anon = null;
const alice: Principal = { name: 'alice', roles: ['admins'], readOnly: false };
const bob: Principal = { name: 'bob', roles: [], readOnly: false };
const dan: Principal = { name: 'dan', roles: ['dev'], readOnly: false };
const aliceRo: Principal = { ...alice, readOnly: true };

describe('matchPackagePattern', () => {
  it.each([
    ['**', 'left-pad', true], ['**', '@acme/ui', true],
    ['*', 'left-pad', true], ['*', '@acme/ui', false],
    ['@acme/*', '@acme/ui', true], ['@acme/*', '@acmex/ui', false], ['@acme/*', 'acme-ui', false],
    ['internal-*', 'internal-tools', true], ['internal-*', 'xinternal-tools', false],
    ['a.b', 'a.b', true], ['a.b', 'axb', false], ['@*/*', '@x/y', true], ['@*/*', 'y', false],
  ])('%s ~ %s -> %s', (pattern, name, expected) => {
    expect(matchPackagePattern(pattern, name)).toBe(expected);
  });
});

describe('checkAccess: the first matching rule decides', () => {
  it.each([
    [anon, 'access', '@secret/keys', false], [alice, 'access', '@secret/keys', true], [bob, 'access', '@secret/keys', false],
    [anon, 'access', '@acme/ui', false], [bob, 'access', '@acme/ui', true],
    [bob, 'publish', '@acme/ui', true], [dan, 'publish', '@acme/ui', true], [alice, 'publish', '@acme/ui', false],
    [dan, 'unpublish', '@acme/ui', false], [alice, 'unpublish', '@acme/ui', true],
    [anon, 'access', 'public-x', true], [dan, 'access', 'public-x', false], [bob, 'access', 'public-x', true],
    [bob, 'unpublish', 'public-x', false], [alice, 'unpublish', 'public-x', false],
    [anon, 'access', 'left-pad', true], [anon, 'publish', 'left-pad', false], [dan, 'publish', 'left-pad', true],
    [aliceRo, 'access', '@secret/keys', true], [aliceRo, 'publish', 'left-pad', false], [aliceRo, 'unpublish', '@acme/ui', false],
  ] as const)('%o %s %s -> %s', (who, action, pkg, expected) => {
    expect(checkAccess(rules, who, action, pkg)).toBe(expected);
  });

  it('denies when no rule matches', () => {
    expect(checkAccess([{ pattern: '@acme/*', access: ['$all'], publish: ['$all'], unpublish: ['$all'] }], alice, 'access', 'left-pad')).toBe(false);
    expect(checkAccess([], alice, 'access', 'left-pad')).toBe(false);
  });
});

describe('needsMaintainer: group grants are kept to maintainers unless the rule says otherwise', () => {
  const owned: PackageRule[] = [
    { pattern: '@acme/*', access: ['$all'], publish: ['$authenticated', 'dev'], unpublish: ['admins'] },
    { pattern: 'open-*', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'], maintainersOnly: false },
    { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] },
  ];
  it.each([
    [bob, 'publish', '@acme/ui', true], [dan, 'publish', '@acme/ui', false], [alice, 'unpublish', '@acme/ui', false],
    [bob, 'publish', 'open-x', false], [bob, 'publish', 'left-pad', true], [bob, 'unpublish', 'left-pad', true],
    [bob, 'access', 'left-pad', false], [aliceRo, 'publish', 'left-pad', false],
  ] as const)('%o %s %s -> %s', (who, action, pkg, expected) => {
    expect(needsMaintainer(owned, who, action, pkg)).toBe(expected);
  });
});
