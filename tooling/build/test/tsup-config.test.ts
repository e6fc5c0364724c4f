import { describe, expect, it } from 'vitest';
import { packageConfig } from '../tsup.js';

describe('packageConfig', () => {
  it('builds ESM + CJS + .d.ts from src/index.ts for Node 20, dependencies external', () => {
    const config = packageConfig();
    expect(config).toMatchObject({ entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: true, target: 'node20', platform: 'node', clean: true });
    expect(config).not.toHaveProperty('noExternal');
  });

  it('lets a package add entries and override fields', () => {
    expect(packageConfig({ entry: ['src/index.ts', 'src/node.ts'], sourcemap: false })).toMatchObject({
      entry: ['src/index.ts', 'src/node.ts'], sourcemap: false, format: ['esm', 'cjs'],
    });
  });
});
