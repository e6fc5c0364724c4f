import { describe, expect, it } from 'vitest';
import { formatSpec, parseSpec } from '../src/spec.ts';

describe('parseSpec', () => {
  it.each([
    ['pkg', undefined, { name: 'pkg', type: 'tag', spec: 'latest', raw: '' }],
    ['pkg@^1', undefined, { name: 'pkg', type: 'range', spec: '^1', raw: '^1' }],
    ['@scope/pkg@2.0.0', undefined, { name: '@scope/pkg', type: 'version', spec: '2.0.0', raw: '2.0.0' }],
    ['pkg@beta', undefined, { name: 'pkg', type: 'tag', spec: 'beta', raw: 'beta' }],
    ['pkg@latest', undefined, { name: 'pkg', type: 'tag', spec: 'latest', raw: 'latest' }],
    ['pkg@v1.2.3', undefined, { name: 'pkg', type: 'version', spec: '1.2.3', raw: 'v1.2.3' }],
    ['pkg@*', undefined, { name: 'pkg', type: 'range', spec: '*', raw: '*' }],
    ['@acme/cli', '^1.0.0', { name: '@acme/cli', type: 'range', spec: '^1.0.0', raw: '^1.0.0' }],
    ['@acme/cli', '1.0.0', { name: '@acme/cli', type: 'version', spec: '1.0.0', raw: '1.0.0' }],
    ['@acme/cli', '', { name: '@acme/cli', type: 'tag', spec: 'latest', raw: '' }],
  ] as const)('%s %s', (input, version, expected) => {
    expect(parseSpec(input, version)).toEqual(expected);
  });

  it.each(['git+https://example.com/x.git', './local', 'pkg@file:../x', 'alias@npm:other@1', 'https://example.com/x.tgz', '', '@/x', 'a b'])(
    'refuses %j with INVALID_SPEC',
    (input) => {
      expect(() => parseSpec(input)).toThrow(expect.objectContaining({ code: 'INVALID_SPEC' }));
    },
  );

  it('formats back', () => {
    expect(formatSpec(parseSpec('pkg'))).toBe('pkg');
    expect(formatSpec(parseSpec('@s/p@^2'))).toBe('@s/p@^2');
  });
});
