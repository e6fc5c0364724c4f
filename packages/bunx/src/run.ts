import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { delimiter, join } from 'node:path';
import { BunxError } from './errors.ts';

export interface RunBinOptions {
  /** The bin's file. */
  file: string;
  args?: string[];
  /** 'bun' runs the file with `bun --bun` (the default); 'node' executes it, honouring its shebang. */
  runtime?: 'bun' | 'node';
  /** The package folder: its node_modules/.bin goes first on PATH. */
  packageDir: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  bun?: string;
}

/**
 * The command line a bin runs with: `[bun, --bun, file, ...args]` or `[file, ...args]`.
 * @example
 * binCommand({ file: '/c/package/cli.js', args: ['-h'] }); // ['bun', '--bun', '/c/package/cli.js', '-h']
 */
export function binCommand(options: Pick<RunBinOptions, 'file' | 'args' | 'runtime' | 'bun'>): string[] {
  const args = options.args ?? [];
  return options.runtime === 'node' ? [options.file, ...args] : [options.bun ?? 'bun', '--bun', options.file, ...args];
}

/**
 * The environment a bin runs in: the caller's, with the package's node_modules/.bin first on PATH.
 * Under 'node', the `node` shim folders `bun --bun` puts on PATH (`bun-node-*`) are dropped, so a
 * `#!/usr/bin/env node` shebang finds the real Node.
 */
export function binEnv(packageDir: string, env: Record<string, string | undefined>, runtime: 'bun' | 'node' = 'bun'): Record<string, string | undefined> {
  const bin = join(packageDir, 'node_modules', '.bin');
  const rest = (env.PATH ?? '').split(delimiter).filter((dir) => dir && !(runtime === 'node' && /(^|[\\/])bun-node-[^\\/]*$/.test(dir)));
  return { ...env, PATH: [bin, ...rest].join(delimiter) };
}

/**
 * Runs a bin with stdio inherited and its arguments passed through; SIGINT and SIGTERM received
 * meanwhile are forwarded to it. Resolves with its exit code (128 + the signal number when a signal
 * ended it).
 * @example
 * const code = await runBin({ file: '/cache/.../package/bin.js', args: ['--help'], packageDir: '/cache/.../package' });
 */
export function runBin(options: RunBinOptions): Promise<number> {
  const [cmd, ...args] = binCommand(options);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, {
      cwd: options.cwd,
      env: binEnv(options.packageDir, options.env ?? process.env, options.runtime) as NodeJS.ProcessEnv,
      stdio: 'inherit',
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    for (const s of signals) process.on(s, forward);
    const done = () => { for (const s of signals) process.off(s, forward); };
    child.once('error', (err) => {
      done();
      reject(new BunxError('SPAWN_FAILED', `cannot start ${cmd}: ${err.message}`, { cause: err }));
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
