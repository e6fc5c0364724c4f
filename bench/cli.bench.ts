// The single-file `fw` against the CLI run from source, as whole processes: `fw --help`,
// `fw version parse 1.2.3` and `fw version graph` of a 3,478-version packument from a file, with a
// bare Bun start as the floor. Target: the single file no slower than the CLI from source, median
// within 10% (it carries its own Bun and loads each command area as a lazily loaded chunk).
// `bun run bench cli`; BENCH_RUNS sets the runs per case.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printFigures, timeProcesses, type ProcessCase } from './_process.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'fw-cli-bench-'));
try {
  // built here from the sources, as `bun run build` builds apps/cli/dist/fw
  const fw = join(work, 'fw');
  const built = Bun.spawnSync(['bun', 'build', '--compile', '--splitting', '--minify', '--conditions=source', join(repoRoot, 'apps/cli/src/bin.ts'), '--outfile', fw], { stdout: 'ignore', stderr: 'pipe' });
  if (built.exitCode !== 0) throw new Error(`cannot build fw: ${built.stderr}`);
  const env = { PATH: process.env.PATH, HOME: work, NO_COLOR: '1' };
  const fixture = join(repoRoot, 'packages/semver-graph/test/fixtures/typescript.json.gz');
  const commands: Array<[string, string[]]> = [
    ['--help', ['--help']],
    ['version parse 1.2.3', ['version', 'parse', '1.2.3']],
    ['version graph (3,478 versions)', ['version', 'graph', 'typescript', '--file', fixture, '--limit', '50']],
  ];
  console.log(`whole processes, median of ${RUNS} (round-robin), bun ${Bun.version}`);
  let slower = 0;
  for (const [what, args] of commands) {
    const cases: ProcessCase[] = [
      { label: `fw ${what} (single file)`, cmd: [fw, ...args], env, cwd: work },
      { label: `bun apps/cli/src/bin.ts ${what} (source)`, cmd: ['bun', '--conditions=source', join(repoRoot, 'apps/cli/src/bin.ts'), ...args], env, cwd: work },
      { label: 'floor: bun -e 0', cmd: ['bun', '-e', '0'], env, cwd: work },
    ];
    const figures = timeProcesses(cases, RUNS);
    console.log(`\n${what}`);
    printFigures(figures, cases[1]!.label);
    // 10% of slack: the shared machine's noise between two round-robin series is about that
    if (figures[0]!.median > figures[1]!.median * 1.1) slower++;
  }
  console.log(`\ntarget: the single file no slower than the CLI from source (median within 10%): ${slower === 0 ? 'PASS' : `FAIL (${slower} of ${commands.length} slower)`}`);
  process.exitCode = slower === 0 ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
