import { spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Prompt -> answer pairs, answered in order as each prompt appears on stdout or stderr. */
  answers?: Array<[prompt: RegExp, answer: string]>;
  timeoutMs?: number;
  /**
   * Run under a pseudo-terminal (util-linux `script`), for clients that refuse to prompt
   * without one (pnpm login). Answers are then sent with a carriage return.
   */
  pty?: boolean;
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * Runs a client command to completion and collects its output. Prompts are answered when they
 * appear (npm's `read` loses buffered lines if all answers are piped at once).
 */
export function run(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const [file, argv] = options.pty
      ? ['script', ['-q', '-f', '-e', '-c', [cmd, ...args].map(quote).join(' '), '/dev/null']]
      : [cmd, args];
    const child = spawn(file, argv, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const answers = [...(options.answers ?? [])];
    let stdout = '';
    let stderr = '';
    let pending = '';
    let lastOutput = Date.now();
    let typing: ReturnType<typeof setTimeout> | undefined;
    const onData = (chunk: Buffer, which: 'out' | 'err') => {
      const text = chunk.toString('utf8');
      lastOutput = Date.now();
      if (which === 'out') stdout += text;
      else stderr += text;
      pending += text;
      const next = answers[0];
      if (next && next[0].test(`${pending.replace(ANSI, '').trimEnd()} `)) {
        answers.shift();
        pending = '';
        if (!options.pty) {
          child.stdin.write(`${next[1]}\n`);
          return;
        }
        // A terminal program may switch the tty to raw mode right after printing its prompt,
        // and that switch (TCSAFLUSH) discards typed-ahead input: type once its output has been
        // quiet for a moment, as a person would.
        clearTimeout(typing);
        const answer = `${next[1]}\r`;
        const type = () => {
          if (Date.now() - lastOutput < 150) typing = setTimeout(type, 50);
          else child.stdin.write(answer);
        };
        typing = setTimeout(type, 150);
      }
    };
    child.stdout.on('data', (c: Buffer) => onData(c, 'out'));
    child.stderr.on('data', (c: Buffer) => onData(c, 'err'));
    if (!options.answers?.length) child.stdin.end();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out after ${options.timeoutMs ?? 120_000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(typing);
      child.stdin.destroy();
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Like {@link run} but throws with the command's output when it exits non-zero. */
export async function runOk(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(cmd, args, options);
  if (result.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  return result;
}
