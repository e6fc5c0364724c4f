// Whole-process run times of a private package's bin: `bun run bunx:run` against `bun x` and
// `npx`, same registry process, same package (a bin depending on another private package), in one
// run. Warm: the tool's cache already holds the package; cold: every cache the tool uses (its own,
// Bun's install cache, npm's cache) emptied before each run. Each figure is the median (and p90)
// of RUNS spawns timed from this process, which only waits; output goes to /dev/null, and the cases
// run round-robin. CPU time (the process and every child it waited for) is printed beside wall time:
// on a shared machine it moves far less with the load. Compare the ratios of one run. Beside them:
// the single-file `fw bunx run`, the warm entry started without `bun run`, and two floors (one Bun
// start; `bun run` of a script that is one Bun start).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  // `bun run` itself: the root package.json (its scripts, no workspaces) with one more script that is one Bun start.
  const runDir = ws.dir('run-floor');
  const rootPkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string>; workspaces?: unknown };
  delete rootPkg.workspaces;
  writeFileSync(join(runDir, 'package.json'), JSON.stringify({ ...rootPkg, scripts: { ...rootPkg.scripts, 'bench:noop': 'bun -e 0' } }, null, 2));
  const runFloor: Case = { label: 'floor: bun run <script: bun -e 0>', cmd: ['bun', 'run', '--silent', '--cwd', runDir, 'bench:noop'], env: base, cwd: project };
  const direct: Case = { label: 'bun apps/cli/src/bunx-run.cts (no bun run)', cmd: ['bun', join(repoRoot, 'apps/cli/src/bunx-run.cts'), spec, 'world'], env, cwd: project };
  // The single-file executable, built here from the sources as `bun run build` builds apps/cli/dist/fw.
  const fwFile = join(ws.dir('fw'), 'fw');
  const built = Bun.spawnSync(['bun', 'build', '--compile', '--splitting', '--minify', '--conditions=source', join(repoRoot, 'apps/cli/src/bin.ts'), '--outfile', fwFile], { stdout: 'ignore', stderr: 'pipe' });
  if (built.exitCode !== 0) throw new Error(`cannot build fw: ${built.stderr}`);
  const fw = (s: string): Case => ({ label: `fw bunx run ${s} (single file)`, cmd: [fwFile, 'bunx', 'run', s, 'world'], env, cwd: project });

  // Prime every warm cache once (and check each tool really runs the package).
  for (const c of [ours(spec), bunx(spec), bunx(spec, false), npx(spec), ours(PKG), bunx(PKG), direct, fw(spec)]) {
    const r = Bun.spawnSync(c.cmd, { env: c.env as Record<string, string>, cwd: c.cwd, stdout: 'pipe', stderr: 'pipe' });
    if (r.exitCode !== 0 || !r.stdout.toString().includes('hello 5 world')) throw new Error(`${c.label} did not run the package: ${r.stdout}${r.stderr}`);
  }

  console.log(`${PKG}@${VERSION} (a bin + one private dependency) from ${registry.url}; warm: median of ${RUNS}, cold: median of ${COLD_RUNS}`);
  const [warmBunx, warmOurs, warmNpx, warmBunxNode, warmDirect, warmFw, warmRunFloor, warmFloor] = time([bunx(spec), ours(spec), npx(spec), bunx(spec, false), direct, fw(spec), runFloor, floor], RUNS) as Figure[] as [Figure, Figure, Figure, Figure, Figure, Figure, Figure, Figure];
  table('warm (exact version)', [warmBunx, warmOurs, warmNpx, warmBunxNode, warmDirect, warmFw, warmRunFloor, warmFloor], warmBunx);
  const [warmBunxTag, warmOursTag] = time([bunx(PKG), ours(PKG)], RUNS) as [Figure, Figure];
  table('warm (dist-tag: bunx:run revalidates with a conditional GET each run, bun x does not)', [warmBunxTag, warmOursTag], warmBunxTag);

  const [coldBunx, coldOurs, coldNpx, coldFw] = time([
    { ...bunx(spec), reset: () => { clearBunX(); resetTmp(); } }, // bun x keeps its installs in the install cache (.bunx-<uid>)
    { ...ours(spec), reset: clearOurs },
    { ...npx(spec), reset: clearNpx },
    { ...fw(spec), reset: clearOurs },
  ], COLD_RUNS) as [Figure, Figure, Figure, Figure];
  table('cold (every cache emptied before each run)', [coldBunx, coldOurs, coldNpx, coldFw], coldBunx);

  const ratio = (a: Figure, b: Figure) => `${(a.median / b.median).toFixed(2)}x wall, ${(a.cpu / b.cpu).toFixed(2)}x cpu`;
  console.log(`\nbunx:run warm vs bun x --bun warm: ${ratio(warmOurs, warmBunx)} (target <= 1.5x); vs plain bun x (Node runs the bin): ${(warmOurs.median / warmBunxNode.median).toFixed(2)}x wall`);
  console.log(`  fw bunx run (single file) warm vs bun x --bun warm: ${ratio(warmFw, warmBunx)}; bun apps/cli/src/bunx-run.cts warm: ${ratio(warmDirect, warmBunx)}`);
  console.log(`  bun run of a one-Bun-start script vs bun x --bun warm: ${ratio(warmRunFloor, warmBunx)} (what \`bun run\` alone costs before the entry does anything)`);
  console.log(`npx warm vs bunx:run warm:   ${(warmNpx.median / warmOurs.median).toFixed(1)}x wall, ${(warmNpx.cpu / warmOurs.cpu).toFixed(1)}x cpu (target >= 10x)`);
  console.log(`bunx:run cold vs bun x --bun cold: ${ratio(coldOurs, coldBunx)}; npx cold vs bunx:run cold: ${(coldNpx.median / coldOurs.median).toFixed(1)}x wall, ${(coldNpx.cpu / coldOurs.cpu).toFixed(1)}x cpu`);
} finally {
  await registry.stop();
  ws.remove();
}
