import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/registry-process.ts';
import { runOk } from '../src/run.ts';

const folders = ['packages', 'apps', 'tooling'].flatMap((area) =>
  readdirSync(join(repoRoot, area)).map((name) => `${area}/${name}`).filter((dir) => existsSync(join(repoRoot, dir, 'package.json'))));

const testFiles = (dir: string): string[] => {
  const testDir = join(repoRoot, dir, 'test');
  return existsSync(testDir) ? readdirSync(testDir, { recursive: true }).map(String).filter((f) => f.endsWith('.test.ts')) : [];
};

describe('`bun run test` inside a workspace folder', () => {
  it('every package, app and tooling folder has test files and a test script that runs them from the root config', () => {
    expect(folders.length).toBeGreaterThanOrEqual(10);
    for (const dir of folders) {
      const script = (JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts?.test;
      // `--dir <folder>` resolves against the folder itself and finds nothing: filter by path instead.
      expect(script, `${dir}/package.json scripts.test`).toBe(`bun --bun vitest run --root ../.. ${dir}/`);
      expect(testFiles(dir).length, dir).toBeGreaterThan(0);
    }
  });

  it('runs that folder\'s tests and only them', async () => {
    const { stdout } = await runOk('bun', ['run', 'test'], { cwd: join(repoRoot, 'tooling/build'), env: { NO_COLOR: '1' } });
    expect(stdout).toMatch(new RegExp(`Test Files\\s+${testFiles('tooling/build').length} passed`));
    expect(stdout).toContain('tooling/build/test/tsup-config.test.ts');
    expect(stdout).not.toMatch(/packages\/|apps\//);
  });
});
