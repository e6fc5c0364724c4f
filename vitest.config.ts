import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Tests run against each package's sources: `@factorywager/<pkg>` and `@factorywager/<pkg>/<sub>`
// resolve to packages/<pkg>/src. The packaging test is the one that checks the built output.
const alias = readdirSync(`${root}packages`)
  .filter((dir) => existsSync(`${root}packages/${dir}/src/index.ts`))
  .flatMap((dir) => [
    { find: new RegExp(`^@factorywager/${dir}/(.+)$`), replacement: `${root}packages/${dir}/src/$1.ts` },
    { find: new RegExp(`^@factorywager/${dir}$`), replacement: `${root}packages/${dir}/src/index.ts` },
  ]);

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'tooling/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
