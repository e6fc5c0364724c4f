// Whole-process run times of a private package's bin: `bun run bunx:run` against `bun x` and
// `npx`, same registry process, same package (a bin depending on another private package), in one
// run. Warm: the tool's cache already holds the package; cold: every cache the tool uses (its own,
// Bun's install cache, npm's cache) emptied before each run. Each figure is the median (and p90)
// of RUNS spawns timed from this process, which only waits; output goes to /dev/null, and the cases
// run round-robin. CPU time (the process and every child it waited for) is printed beside wall time:
// on a shared machine it moves far less with the load. Compare the ratios of one run.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { addUser, createWorkspace, npmClient, repoRoot, startRegistry, writePackage, NPM_BIN } from '../tooling/e2e/src/index.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 10);
const PKG = '@fw-bench/hello';
const VERSION = '1.0.0';
const NPX = join(repoRoot, 'node_modules/.bin/npx');

interface Case { label: string; cmd: string[]; env: Record<string, string | undefined>; cwd: string; reset?: () => void }
interface Figure { label: string; median: number; p90: number; min: number; cpu: number }

/**
 * Times every case `runs` times, round-robin (case A, B, C, A, B, C, ...), so that a change in the
 * machine's load meets every case alike.
 */
function time(cases: Case[], runs: number): Figure[] {
  const times = cases.map(() => [] as number[]);
  const cpu = cases.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    cases.forEach((c, k) => {
      c.reset?.();
      const t0 = performance.now();
      let r: ReturnType<typeof Bun.spawnSync>;
      try {
        r = Bun.spawnSync(c.cmd, { env: c.env as Record<string, string>, cwd: c.cwd, stdout: 'ignore', stderr: 'pipe' });
      } catch (err) {
        throw new Error(`${c.label}: cannot start ${c.cmd[0]} in ${c.cwd} (exists: ${existsSync(c.cwd)}): ${(err as Error).message}`);
      }
      const ms = performance.now() - t0;
      if (r.exitCode !== 0) throw new Error(`${c.label}: exited ${r.exitCode}: ${String(r.stderr ?? "").slice(-500)}`);
      times[k]!.push(ms);
      cpu[k]!.push(Number(r.resourceUsage.cpuTime.total) / 1000); // the process and every child it waited for
    });
  }
  return cases.map((c, k) => {
    const t = times[k]!.sort((a, b) => a - b);
    const u = cpu[k]!.sort((a, b) => a - b);
    return { label: c.label, median: t[Math.floor(runs / 2)]!, p90: t[Math.min(runs - 1, Math.floor(runs * 0.9))]!, min: t[0]!, cpu: u[Math.floor(runs / 2)]! };
  });
}

const fmt = (n: number) => `${n.toFixed(1).padStart(7)} ms`;
function table(title: string, rows: Figure[], base: Figure) {
  console.log(`\n${title} (ratios against ${base.label})`);
  for (const r of rows) {
    const ratio = r === base ? '' : `  ${(r.median / base.median).toFixed(2)}x (cpu ${(r.cpu / base.cpu).toFixed(2)}x)`;
    console.log(`  ${r.label.padEnd(46)} median ${fmt(r.median)}  p90 ${fmt(r.p90)}  min ${fmt(r.min)}  cpu ${fmt(r.cpu)}${ratio}`);
  }
}

const registry = await startRegistry();
const ws = createWorkspace(registry.url);
try {
  const token = await addUser(registry.url, 'bench', 'bench-password-123');
  await Bun.write(ws.npmrc, `registry=${registry.url}/\n//127.0.0.1:${registry.port}/:_authToken=${token}\n`);
  const npm = npmClient(ws);
  await npm.publish(writePackage(ws.dir('util'), { name: '@fw-bench/util', version: '1.0.0', main: 'index.js' }, { 'index.js': 'exports.add = (a, b) => a + b;\n' }));
  await npm.publish(writePackage(ws.dir('hello'), { name: PKG, version: VERSION, bin: { hello: 'cli.js' }, dependencies: { '@fw-bench/util': '^1.0.0' } }, {
    'cli.js': "#!/usr/bin/env node\nconst { add } = require('@fw-bench/util');\nconsole.log('hello ' + add(2, 3) + ' ' + process.argv.slice(2).join(' '));\n",
  }));

  const tmp = ws.dir('tmp');
  const bunCache = join(ws.cache, 'bun');
  const npmCache = join(ws.cache, 'npm');
  const ourCache = ws.dir('bunx-cache');
  const base: Record<string, string | undefined> = { ...process.env, ...ws.env, TMPDIR: tmp, FW_TOKEN: undefined, REGISTRY_URL: undefined, NODE_ENV: undefined };
  for (const k of Object.keys(base)) if (base[k] === undefined) delete base[k];
  const env = { ...base, BUNX_CACHE_DIR: ourCache };
  const project = ws.dir('project'); // where each tool is started: an empty folder, as a user would
  const clear = (...dirs: string[]) => () => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); };
  // bun x installs into its install cache (BUN_INSTALL_CACHE_DIR/.bunx-<uid>); npx into npm's cache (_npx).
  const clearBunX = clear(tmp, bunCache);
  const clearNpx = clear(npmCache);
  const clearOurs = clear(ourCache, bunCache);
  const resetTmp = () => Bun.spawnSync(['mkdir', '-p', tmp]);

  const spec = `${PKG}@${VERSION}`;
  const ours = (s: string): Case => ({ label: `bun run bunx:run ${s}`, cmd: ['bun', 'run', '--silent', '--cwd', repoRoot, 'bunx:run', s, 'world'], env, cwd: project });
  // `bun x` runs a `#!/usr/bin/env node` bin with Node unless --bun; bunx:run runs it with Bun
  // (--bun semantics), so `bun x --bun` is the same work and the figure to compare with.
  const bunx = (s: string, flag = true): Case => ({ label: `bun x ${flag ? '--bun ' : ''}${s}`, cmd: ['bun', 'x', ...(flag ? ['--bun'] : []), s, 'world'], env: base, cwd: project });
  const npx = (s: string): Case => ({ label: `npx ${s}`, cmd: [NPX, '--yes', s, 'world'], env: base, cwd: project });
  const floor: Case = { label: 'floor: bun -e 0 (one Bun start)', cmd: ['bun', '-e', '0'], env: base, cwd: project };
  const direct: Case = { label: 'bunx-run.ts without bun run (the warm entry)', cmd: ['bun', '--conditions=source', join(repoRoot, 'apps/cli/src/bunx-run.ts'), spec, 'world'], env, cwd: project };

  // Prime every warm cache once (and check each tool really runs the package).
  for (const c of [ours(spec), bunx(spec), bunx(spec, false), npx(spec), ours(PKG), bunx(PKG)]) {
    const r = Bun.spawnSync(c.cmd, { env: c.env as Record<string, string>, cwd: c.cwd, stdout: 'pipe', stderr: 'pipe' });
    if (r.exitCode !== 0 || !r.stdout.toString().includes('hello 5 world')) throw new Error(`${c.label} did not run the package: ${r.stdout}${r.stderr}`);
  }

  console.log(`${PKG}@${VERSION} (a bin + one private dependency) from ${registry.url}; warm: median of ${RUNS}, cold: median of ${COLD_RUNS}`);
  const [warmBunx, warmOurs, warmNpx, warmBunxNode, warmDirect, warmFloor] = time([bunx(spec), ours(spec), npx(spec), bunx(spec, false), direct, floor], RUNS) as [Figure, Figure, Figure, Figure, Figure, Figure];
  table('warm (exact version)', [warmBunx, warmOurs, warmNpx, warmBunxNode, warmDirect, warmFloor], warmBunx);
  const [warmBunxTag, warmOursTag] = time([bunx(PKG), ours(PKG)], RUNS) as [Figure, Figure];
  table('warm (dist-tag: bunx:run revalidates with a conditional GET each run, bun x does not)', [warmBunxTag, warmOursTag], warmBunxTag);

  const [coldBunx, coldOurs, coldNpx] = time([
    { ...bunx(spec), reset: () => { clearBunX(); resetTmp(); } }, // bun x keeps its installs in the install cache (.bunx-<uid>)
    { ...ours(spec), reset: clearOurs },
    { ...npx(spec), reset: clearNpx },
  ], COLD_RUNS) as [Figure, Figure, Figure];
  table('cold (every cache emptied before each run)', [coldBunx, coldOurs, coldNpx], coldBunx);

  console.log(`\nbunx:run warm vs bun x --bun warm: ${(warmOurs.median / warmBunx.median).toFixed(2)}x wall, ${(warmOurs.cpu / warmBunx.cpu).toFixed(2)}x cpu (target <= 1.5x); vs plain bun x (Node runs the bin): ${(warmOurs.median / warmBunxNode.median).toFixed(2)}x`);
  console.log('  (bun run bunx:run is three Bun starts by construction: `bun run`, its bash exec-ing the warm entry, and the bin the entry execs; bun x is two)');
  console.log(`npx warm vs bunx:run warm:   ${(warmNpx.median / warmOurs.median).toFixed(1)}x wall, ${(warmNpx.cpu / warmOurs.cpu).toFixed(1)}x cpu (target >= 10x)`);
  console.log(`bunx:run cold vs bun x --bun cold: ${(coldOurs.median / coldBunx.median).toFixed(2)}x; npx cold vs bunx:run cold: ${(coldNpx.median / coldOurs.median).toFixed(1)}x`);
} finally {
  await registry.stop();
  ws.remove();
}
