import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { binCommand, binEnv } from './_bin.ts';
import { BunxError } from './errors.ts';

export { binCommand, binEnv };

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
