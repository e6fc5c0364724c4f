// @ts-check
import { defineConfig } from 'tsup';

/**
 * The one tsup configuration every package re-exports: ESM + CJS + .d.ts from src/index.ts
 * (plus any entries a package adds), dependencies kept external.
 * Plain JS so that tsup can load it on Node without a TS loader.
 * @param {Partial<import('tsup').Options>} [extra]
 */
export function packageConfig(extra = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    treeshake: true,
    ...extra,
  });
}
