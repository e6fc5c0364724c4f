import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const base = join(repo, 'tooling/tsconfig/base.json');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { extends?: string; compilerOptions?: Record<string, unknown> };

describe('the shared tsconfig', () => {
  it('is strict, with unchecked index access and verbatim module syntax (DESIGN.md)', () => {
    expect(readJson(base).compilerOptions).toMatchObject({ strict: true, noUncheckedIndexedAccess: true, verbatimModuleSyntax: true });
  });

  it('is what every workspace package with TypeScript extends', () => {
    const folders = ['packages', 'apps', 'tooling'].flatMap((area) =>
      readdirSync(join(repo, area)).map((name) => join(repo, area, name)).filter((dir) => existsSync(join(dir, 'tsconfig.json'))));
    expect(folders.length).toBeGreaterThan(5);
    for (const dir of folders) {
      const ext = readJson(join(dir, 'tsconfig.json')).extends;
      expect(ext && resolve(dir, ext), dir).toBe(base);
    }
  });
});
