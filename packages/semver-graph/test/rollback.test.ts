import { describe, expect, it } from 'vitest';
import { buildVersionGraph, planRollback, type Packument } from '../src/index.ts';

const P: Packument = {
  name: 'demo',
  'dist-tags': { latest: '1.2.0' },
  versions: {
    '1.0.0': { version: '1.0.0' },
    '1.1.0': { version: '1.1.0', deprecated: 'security issue' },
    '1.2.0': { version: '1.2.0' },
    '1.3.0-rc.0': { version: '1.3.0-rc.0' },
  },
};

describe('planRollback', () => {
  const g = buildVersionGraph(P);

  it('moves latest to the target', () => {
    expect(planRollback(g, '1.0.0')).toEqual({
      name: 'demo', from: '1.2.0', to: '1.0.0', direction: 'back',
      moves: [{ tag: 'latest', from: '1.2.0', to: '1.0.0' }], warnings: [],
    });
  });

  it('is a no-op for the current version and warns about prereleases', () => {
    expect(planRollback(g, '1.2.0')).toMatchObject({ direction: 'none', moves: [] });
    expect(planRollback(g, '1.3.0-rc.0')).toMatchObject({ direction: 'forward', warnings: ['1.3.0-rc.0 is a prerelease'] });
  });

  it('refuses a version that does not exist, and a deprecated one unless forced', () => {
    expect(() => planRollback(g, '0.9.0')).toThrow(expect.objectContaining({ code: 'VERSION_NOT_FOUND', input: '0.9.0' }));
    expect(() => planRollback(g, 'x')).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
    expect(() => planRollback(g, '1.1.0')).toThrow(expect.objectContaining({ code: 'VERSION_DEPRECATED' }));
    expect(planRollback(g, '1.1.0', { force: true })).toMatchObject({
      moves: [{ tag: 'latest', from: '1.2.0', to: '1.1.0' }],
      warnings: ['1.1.0 is deprecated: security issue'],
    });
  });
});
