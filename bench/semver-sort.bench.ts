// Sorting 100,000 versions by semver precedence: Bun.semver.order against semver.compare (npm's
// node-semver), and the library's sortVersions (which uses Bun.semver on Bun).
import { createRequire } from 'node:module';
import { sortVersions } from '../packages/semver-graph/src/index.ts';
import { measure, ms } from './_measure.ts';

interface SemVerObject { compare(other: SemVerObject): -1 | 0 | 1 }
interface SemverLib { compare(a: string, b: string): -1 | 0 | 1; parse(v: string): SemVerObject | null }

// The `semver` the library itself depends on (the root has none of its own).
const semver = createRequire(new URL('../packages/semver-graph/package.json', import.meta.url))('semver') as SemverLib;

const N = 100_000;
let seed = 7;
const rand = (k: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % k;
};
const words = ['alpha', 'beta', 'rc', 'next', 'canary', 'dev'];
const versions = Array.from({ length: N }, () => {
  let v = `${rand(30)}.${rand(50)}.${rand(100)}`;
  if (rand(4) === 0) v += `-${words[rand(words.length)]}.${rand(20)}`;
  return v;
});

if (typeof Bun === 'undefined') throw new Error('run this bench with bun');
const bunOrder = Bun.semver.order;
const bun = measure(() => [...versions].sort((a, b) => bunOrder(a, b)), { warmup: 2, runs: 10 });
const node = measure(() => [...versions].sort((a, b) => semver.compare(a, b)), { warmup: 2, runs: 10 });
const preParsed = versions.map((v) => semver.parse(v)!);
const parsed = measure(() => [...preParsed].sort((a, b) => a.compare(b)), { warmup: 2, runs: 10 });
const lib = measure(() => sortVersions(versions), { warmup: 2, runs: 10 });

const same = JSON.stringify([...versions].sort((a, b) => bunOrder(a, b) || (a < b ? -1 : a > b ? 1 : 0)))
  === JSON.stringify([...versions].sort((a, b) => semver.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0)));

console.log(`sort ${N.toLocaleString('en')} versions (bun ${Bun.version})`);
console.log(`${'case'.padEnd(40)} ${'median'.padStart(11)} ${'p95'.padStart(11)}`);
console.log(`${'Bun.semver.order'.padEnd(40)} ${ms(bun.median)} ${ms(bun.p95)}`);
console.log(`${'semver.compare (parses on every compare)'.padEnd(40)} ${ms(node.median)} ${ms(node.p95)}`);
console.log(`${'semver SemVer#compare (parsed up front)'.padEnd(40)} ${ms(parsed.median)} ${ms(parsed.p95)}`);
console.log(`${'sortVersions (library, Bun engine)'.padEnd(40)} ${ms(lib.median)} ${ms(lib.p95)}`);
console.log(`\nratio semver.compare / Bun.semver.order: ${(node.median / bun.median).toFixed(1)}x; same order: ${same ? 'yes' : 'NO'}`);
process.exitCode = same ? 0 : 1;
