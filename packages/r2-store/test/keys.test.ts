import { describe, expect, it } from 'vitest';
import { keys } from '@factorywager/r2-store';

describe('keys', () => {
  it('lays out a scoped manifest key', () => {
    expect(keys.manifest('@s/p')).toBe('packages/@s/p/manifest.json');
  });
  it('runs under bun', () => {
    expect(typeof Bun.semver.order).toBe('function');
  });
});
