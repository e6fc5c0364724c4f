import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './registry-process.ts';

export const binOf = (name: string) => join(repoRoot, 'node_modules/.bin', name);

/** The real Node on PATH: `bun --bun` puts a `node` that is Bun in front of it. */
export function realNode(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, 'node');
    try {
      accessSync(candidate, constants.X_OK);
      if (!/\bbun(\.exe)?$/.test(realpathSync(candidate))) return candidate;
    } catch {}
  }
  throw new Error('no Node.js on PATH');
}

/** Runs a command to completion; its stdout, or an error with all its output. */
export function ok(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/**
 * Builds each library with tsup and packs it with `bun pm pack` into `dest`. Test files run in
 * parallel and tsup cleans dist/ first, so builds are serialised by {@link withPackagingLock}.
 */
export async function buildAndPack(packages: readonly string[], dest: string): Promise<void> {
  await withPackagingLock(() => {
    for (const pkg of packages) {
      const dir = join(repoRoot, 'packages', pkg);
      ok(binOf('tsup'), [], dir);
      ok('bun', ['pm', 'pack', '--destination', dest], dir);
    }
  });
}

/**
 * Runs `fn` while no other test rebuilds a package's dist/: a lock folder (mkdir is atomic);
 * a lock left by a killed run is taken over after two minutes.
 */
export async function withPackagingLock<T>(fn: () => T | Promise<T>): Promise<T> {
  const lock = join(repoRoot, 'node_modules/.cache/fw-packaging.lock');
  mkdirSync(join(lock, '..'), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (Date.now() - started > 120_000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
