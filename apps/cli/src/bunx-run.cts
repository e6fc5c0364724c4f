#!/usr/bin/env bun
// `bun run bunx:run`: the warm path first. A cache hit loads only @factorywager/bunx/warm (small
// modules, Bun's file API) and runs the bin, in this process where it can; anything else goes to
// the full CLI (`fw bunx run`), which resolves, downloads, verifies, caches and reports errors.
//
// CommonJS on purpose (.cts, require, no import statement, no top-level await): a CommonJS entry is the
// process's main module object, into which the warm path compiles a CommonJS bin, so that the bin
// sees `require.main === module` as it would started on its own (packages/bunx/src/_in-process.ts).
//
// The script runs this file without `--conditions=source` (the bin must resolve its dependencies
// with Bun's default conditions, as `bun x` would): `@factorywager/bunx/warm` resolves to its source
// through its "bun" export condition, and a miss re-executes the full CLI with the repository's
// source conditions (the `fw` script's command line).
type Warm = typeof import('@factorywager/bunx/warm'); // a type only: an `import type` line would make Bun load this file as an ES module

const argv = process.argv.slice(2);
const sourceConditions = process.execArgv.some((a, i, all) => a === '--conditions=source' || (a === '--conditions' && all[i + 1] === 'source'));

/** The leading runner options and the spec, or null when the full CLI should read them (--help, a typo). */
function leading(args: string[]) {
  const out: { bin?: string; runtime?: 'bun' | 'node'; offline?: boolean; spec?: string; rest: string[] } = { rest: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--offline') out.offline = true;
    else if (a === '--node') out.runtime = out.runtime ? undefined : 'node';
    else if (a === '--bun') out.runtime = out.runtime ? undefined : 'bun';
    else if (a === '--bin' && i + 1 < args.length) out.bin = args[++i];
    else if (a.startsWith('--bin=')) out.bin = a.slice(6);
    else if (a === '--allow-scripts') continue;
    else if (a.startsWith('-')) return null;
    else return { ...out, spec: a, rest: args.slice(i + 1) };
  }
  return null;
}

/** The full CLI: here when this process resolves the workspace's sources, else re-executed so it does. */
async function full(): Promise<void> {
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  process.env.FW_BUNX_WARM_MISSED = '1'; // commands/bunx.ts WARM_MISSED: the full runner need not look again
  if (!sourceConditions && typeof execve === 'function') {
    const bin = `${__dirname}/bin.ts`;
    execve(process.execPath, [process.execPath, '--conditions=source', bin, 'bunx', 'run', ...argv], process.env);
  }
  const { quietOnClosedPipe } = await import('./kit.ts');
  const { main } = await import('./main.ts');
  quietOnClosedPipe();
  process.exitCode = await main(['bunx', 'run', ...argv]);
}

async function warm(): Promise<boolean> {
  const req = leading(argv);
  if (!req?.spec) return false;
  const { execWarm, warmLookup } = require('@factorywager/bunx/warm') as Warm;
  const hit = await warmLookup({
    spec: req.spec,
    args: req.rest,
    bin: req.bin,
    runtime: req.runtime,
    offline: req.offline,
    // The keychain step loads the secrets manager from the workspace's sources; without them the
    // step is left to the full CLI (the lookup then misses and the full runner asks the keychain).
    credentials: sourceConditions ? async (registry) => (await import('./commands/_bunx-keychain.ts')).keychainLookup(process.env)(registry) : async () => null,
  });
  if (hit.hit) {
    await execWarm(hit); // returns when the bin ran in this process: it owns the process from here
    return true;
  }
  if (process.env.FW_BUNX_DEBUG) process.stderr.write(`bunx: warm path missed (${hit.reason})\n`);
  return false;
}

void warm().then((ran) => (ran ? undefined : full()));
