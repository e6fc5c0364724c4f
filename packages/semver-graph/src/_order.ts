import semver from 'semver';

type Order = (a: string, b: string) => -1 | 0 | 1;

interface BunSemver { order(a: string, b: string): -1 | 0 | 1 }

/** Bun.semver.order where Bun runs, `semver.compare` elsewhere: the same precedence for valid versions. */
function detect(): { order: Order; engine: 'bun' | 'semver' } {
  const bun = (globalThis as { Bun?: { semver?: BunSemver } }).Bun?.semver;
  if (bun && typeof bun.order === 'function') return { order: (a, b) => bun.order(a, b), engine: 'bun' };
  return { order: (a, b) => semver.compare(a, b), engine: 'semver' };
}

const detected = detect();

/** Precedence of two valid versions (build metadata ignored). @internal */
export const precedence: Order = detected.order;

/** Which implementation {@link precedence} uses. @internal */
export const orderEngine: 'bun' | 'semver' = detected.engine;

/** `semver.compare`, for the corpus test that compares both engines. @internal */
export const semverPrecedence: Order = (a, b) => semver.compare(a, b);
