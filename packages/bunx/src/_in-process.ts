// Running a cached bin inside the warm entry's own process instead of starting another Bun: on a
// cache hit under Bun with `--bun` semantics (the default), `bun run bunx:run pkg` is then two Bun
// starts, as `bun x --bun pkg` is, instead of three. A bin run this way gets what `bun --bun <bin>`
// would give it: process.argv `[bun, <bin>, ...args]`, process.execArgv `['--bun']`, the package's
// node_modules/.bin first on PATH, stdio and signals of this very process (so nothing needs
// forwarding), and the exit code it sets (process.exitCode or process.exit). A CommonJS bin is
// compiled into the main module object itself (Module#_compile, as Node's own loader does), so
// `require.main === module` holds in it and `require.main.filename` names it everywhere.
//
// What cannot be made the same is left to a real exec (process.execve): a bin that asks
// `import.meta.main` or `Bun.main` (Bun fixes both at startup to the entry), an ES module or
// TypeScript bin that asks `require.main`, a CommonJS bin when this process has no CommonJS main
// module (the compiled single-file `fw`), a file that is not JavaScript or TypeScript (a shell
// script), `--node`, and Node itself. No imports beyond the warm path's own modules.
import { binEnv } from './_bin.ts';
import { parentDir } from './_npmrc.ts';
import { readText } from './_warm-io.ts';

export type InProcessPlan = { run: 'cjs' | 'esm'; source: string } | { run: 'exec'; reason: string };

/** The part of Node's Module object this needs (Bun implements it). */
interface MainModule {
  filename: string;
  id: string;
  path: string;
  paths: string[];
  exports: unknown;
  loaded: boolean;
  children: unknown[];
  _compile(content: string, filename: string): unknown;
}

const JS_EXT = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const ASKS_MAIN = /\bimport\.meta\.main\b|\bBun\.main\b/;
const ASKS_REQUIRE_MAIN = /\brequire\.main\b|\bprocess\.mainModule\b/;
// Static ES module syntax at the start of a line (a dynamic `import(` is fine in CommonJS).
const ESM_SYNTAX = /^[ \t]*(?:import[\s{*'"]|export[\s{*]|export default\b)/m;

/** This process's CommonJS main module, when the entry that started it is one. */
export function mainModule(): MainModule | null {
  const m = (process as { mainModule?: Partial<MainModule> }).mainModule;
  return m && typeof m._compile === 'function' ? (m as MainModule) : null;
}

/**
 * How a bin can run in this process, from its file name, its text, the `type` of its nearest
 * package.json and whether this process has a CommonJS main module. Pure: the tests drive it.
 * @example
 * planInProcess({ file: '/c/package/cli.js', source: "require('x')", packageType: undefined, hasMainModule: true }); // { run: 'cjs', ... }
 */
export function planInProcess(input: { file: string; source: string; packageType?: string; hasMainModule: boolean }): InProcessPlan {
  const { file, source } = input;
  const base = file.slice(file.lastIndexOf('/') + 1);
  const ext = base.includes('.') ? base.slice(base.lastIndexOf('.')) : '';
  if (ext && !JS_EXT.test(ext)) return { run: 'exec', reason: `not JavaScript (${ext})` };
  const shebang = /^#!([^\n]*)/.exec(source)?.[1];
  if (!ext && shebang !== undefined && !/\b(?:node|bun)\b/.test(shebang)) return { run: 'exec', reason: 'a shebang for another interpreter' };
  if (ASKS_MAIN.test(source)) return { run: 'exec', reason: 'asks import.meta.main or Bun.main' };
  const commonjs = ext === '.cjs' || ((ext === '.js' || ext === '') && input.packageType !== 'module' && !ESM_SYNTAX.test(source));
  if (commonjs && input.hasMainModule) return { run: 'cjs', source };
  if (ASKS_REQUIRE_MAIN.test(source)) return { run: 'exec', reason: 'asks require.main' };
  return { run: 'esm', source };
}

/** The `type` of the package.json nearest to the bin, looking no higher than the package folder. */
async function packageType(file: string, packageDir: string): Promise<string | undefined> {
  for (let dir = parentDir(file); dir.startsWith(packageDir); dir = parentDir(dir)) {
    const text = await readText(`${dir}/package.json`);
    if (text !== null) {
      try {
        const type = (JSON.parse(text) as { type?: unknown }).type;
        return typeof type === 'string' ? type : undefined;
      } catch {
        return undefined;
      }
    }
    if (dir === packageDir) break;
  }
  return undefined;
}

/**
 * Reads the bin and decides (see the file comment). Only under Bun; 'exec' otherwise.
 * @example
 * const plan = await readPlan('/c/package/cli.js', '/c/package');
 */
export async function readPlan(file: string, packageDir: string): Promise<InProcessPlan> {
  if (typeof (globalThis as { Bun?: unknown }).Bun === 'undefined') return { run: 'exec', reason: 'not Bun' };
  const source = await readText(file);
  if (source === null) return { run: 'exec', reason: 'unreadable' };
  const type = file.endsWith('.js') || !file.slice(file.lastIndexOf('/') + 1).includes('.') ? await packageType(file, packageDir) : undefined;
  return planInProcess({ file, source, packageType: type, hasMainModule: mainModule() !== null });
}

/**
 * Makes this process the bin's (argv, execArgv, PATH) and evaluates it here. Resolves when its
 * module has been evaluated; the process then lives as long as the bin keeps it busy and exits
 * with the bin's code. An error the bin throws while loading propagates, as it would end a
 * `bun <bin>` process (uncaught: printed, exit 1).
 * @example
 * const plan = await readPlan(file, packageDir);
 * if (plan.run !== 'exec') await runInProcess(plan, { file, args, packageDir });
 */
export async function runInProcess(plan: Extract<InProcessPlan, { run: 'cjs' | 'esm' }>, bin: { file: string; args: string[]; packageDir: string }): Promise<void> {
  process.argv = [process.argv[0]!, bin.file, ...bin.args];
  process.execArgv = ['--bun'];
  process.env.PATH = binEnv(bin.packageDir, process.env, 'bun').PATH;
  const main = mainModule();
  if (main) {
    // `require.main.filename` (read by yargs and others to find the bin's package.json) names the bin.
    const dir = parentDir(bin.file);
    main.filename = bin.file;
    main.id = '.';
    main.path = dir;
    main.paths = nodeModulePaths(dir);
  }
  if (plan.run === 'cjs' && main) {
    main.exports = {};
    main.loaded = false;
    main.children = [];
    // _compile takes plain JavaScript: the shebang line is blanked (kept as a line for stack traces).
    const source = plan.source.replace(/^#![^\n]*/, '');
    try {
      main._compile(source, bin.file);
      main.loaded = true;
      return;
    } catch (err) {
      // Not CommonJS after all (top-level await in a .js of a CommonJS package, which Bun then loads
      // as an ES module): a parse error, so nothing ran, and the file is imported as Bun would.
      // A SyntaxError the bin threw while running (JSON.parse) is its own and propagates.
      if (!(err instanceof SyntaxError) || parses(source)) throw err;
    }
  }
  await import(bin.file);
}

/** Whether the text parses as the body of a CommonJS module (compiled, never run). */
function parses(source: string): boolean {
  try {
    new Function('exports', 'require', 'module', '__filename', '__dirname', source);
    return true;
  } catch {
    return false;
  }
}

/** Node's lookup folders for a directory: each ancestor's node_modules (Module._nodeModulePaths). */
export function nodeModulePaths(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = parentDir(d)) {
    if (!d.endsWith('/node_modules')) out.push(`${d === '/' ? '' : d}/node_modules`);
    if (parentDir(d) === d) break;
  }
  return out;
}
