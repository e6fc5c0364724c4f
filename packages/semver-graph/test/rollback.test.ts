import { describe, expect, it } from 'vitest';
import { buildVersionGraph, nearestVersions, planRollback, type Packument } from '../src/index.ts';

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
      name: 'demo', tag: 'latest', from: '1.2.0', to: '1.0.0', direction: 'back',
      moves: [{ tag: 'latest', from: '1.2.0', to: '1.0.0' }], warnings: [],
    });
  });

  it('is a no-op for the current version and warns about prereleases', () => {
    expect(planRollback(g, '1.2.0')).toMatchObject({ direction: 'none', moves: [] });
    expect(planRollback(g, '1.3.0-rc.0')).toMatchObject({ direction: 'forward', warnings: ['1.3.0-rc.0 is a prerelease'] });
  });

  it('refuses a version that does not exist, and a deprecated one unless forced', () => {
    expect(() => planRollback(g, '0.9.0')).toThrow(expect.objectContaining({ code: 'VERSION_NOT_FOUND', input: '0.9.0', message: 'demo@0.9.0 does not exist (nearest: 1.0.0)' }));
    expect(() => planRollback(g, '1.1.5')).toThrow('demo@1.1.5 does not exist (nearest: 1.1.0, 1.2.0)');
    expect(() => planRollback(buildVersionGraph({ name: 'none' }), '1.0.0')).toThrow('none@1.0.0 does not exist (it has no versions)');
    expect(() => planRollback(g, 'x')).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
    expect(() => planRollback(g, '1.1.0')).toThrow(expect.objectContaining({ code: 'VERSION_DEPRECATED' }));
    expect(planRollback(g, '1.1.0', { force: true })).toMatchObject({
      moves: [{ tag: 'latest', from: '1.2.0', to: '1.1.0' }],
      warnings: ['1.1.0 is deprecated: security issue'],
    });
  });
});

describe('planRollback forward and on other tags', () => {
  it('rolls forward with the same call, and moves another tag when asked', () => {
    const back = buildVersionGraph({ ...P, 'dist-tags': { latest: '1.0.0', next: '1.3.0-rc.0' } });
    expect(planRollback(back, '1.2.0')).toMatchObject({ direction: 'forward', moves: [{ tag: 'latest', from: '1.0.0', to: '1.2.0' }] });
    expect(planRollback(back, '1.2.0', { tag: 'next' })).toMatchObject({ tag: 'next', from: '1.3.0-rc.0', direction: 'back', moves: [{ tag: 'next', from: '1.3.0-rc.0', to: '1.2.0' }] });
    expect(planRollback(back, '1.0.0', { tag: 'beta' })).toMatchObject({ tag: 'beta', from: null, direction: 'forward', moves: [{ tag: 'beta', from: null, to: '1.0.0' }] });
  });
});

describe('nearestVersions', () => {
  it.each([
    [['1.0.0', '1.2.0', '1.3.0'], '1.2.5', ['1.2.0', '1.3.0']],
    [['1.0.0', '1.2.0'], '0.1.0', ['1.0.0']],
    [['1.0.0', '1.2.0'], '9.0.0', ['1.2.0']],
    [['1.0.0', '2.0.0-rc.1', '2.0.0'], '2.0.0-rc.0', ['1.0.0', '2.0.0-rc.1']],
    [[], '1.0.0', []],
  ])('%j around %s', (versions, target, expected) => {
    expect(nearestVersions(versions, target)).toEqual(expected);
  });
});

describe('the Rollback Ready version after a rollback', () => {
  const rolled: Packument = { ...P, 'dist-tags': { latest: '1.0.0' } };
  it('is the version the rollback replaced, so rolling forward is the same command', () => {
    const g = buildVersionGraph(rolled, { rolledBackFrom: '1.2.0' });
    expect(g.rollback).toBe('1.2.0');
    expect(g.nodes.find((n) => n.id === '1.2.0')!.status).toBe('rollback');
    expect(planRollback(g, g.rollback!)).toMatchObject({ direction: 'forward', from: '1.0.0', to: '1.2.0' });
  });
  it('falls back to the newest good version below current when the replaced one is deprecated, gone or current', () => {
    const base = buildVersionGraph({ ...P, 'dist-tags': { latest: '1.2.0' } });
    expect(buildVersionGraph({ ...P, 'dist-tags': { latest: '1.2.0' } }, { rolledBackFrom: '1.1.0' }).rollback).toBe(base.rollback);
    expect(buildVersionGraph({ ...P, 'dist-tags': { latest: '1.2.0' } }, { rolledBackFrom: '9.9.9' }).rollback).toBe(base.rollback);
    expect(buildVersionGraph({ ...P, 'dist-tags': { latest: '1.2.0' } }, { rolledBackFrom: '1.2.0' }).rollback).toBe('1.0.0');
  });
});
