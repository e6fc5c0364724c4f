import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A CLI failure: one line on stderr, exit code 1 (or 2 for a usage error). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Context {
  /** Positional arguments after `<area> <verb>`. */
  positionals: string[];
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  json: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
  color: boolean;
  env: NodeJS.ProcessEnv;
  stdin: () => Promise<string>;
}

export interface Command {
  summary: string;
  /** e.g. `<pkg> [ascii|mermaid|json]` */
  usage: string;
  options?: Options;
  /** Minimum and maximum positional count; checked before run. */
  args?: [min: number, max: number];
  /**
   * Options are read only before the first positional; it and everything after it are positionals
   * passed through untouched (`fw bunx run <pkg> --help` passes `--help` to the package's bin).
   */
  passThrough?: boolean;
  /** A number returned is the exit code (`bunx run` returns its bin's). */
  run(ctx: Context): Promise<void | number> | void | number;
}

export type Area = Record<string, Command>;

export const globalOptions: Options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
};

/** Colour only on a TTY and when NO_COLOR is unset (https://no-color.org). */
export function useColor(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean } = process.stdout): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

export function parse(command: Command, argv: string[]): { values: Context['values']; positionals: string[] } {
  if (command.passThrough) {
    const options = { ...globalOptions, ...command.options };
    let i = 0;
    for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
      if (argv[i] === '--') break;
      const name = argv[i]!.replace(/^--?/, '').split('=')[0]!;
      const option = options[name] ?? Object.values(options).find((o) => o.short === name);
      if (option?.type === 'string' && !argv[i]!.includes('=')) i++;
    }
    const head = argv.slice(0, i);
    const tail = argv[i] === '--' ? argv.slice(i + 1) : argv.slice(i);
    const parsed = parse({ ...command, passThrough: false }, head) as { values: Context['values']; positionals: string[] };
    return { values: parsed.values, positionals: [...parsed.positionals, ...tail] };
  }
  try {
    return parseArgs({
      args: argv,
      options: { ...globalOptions, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}

export function formatHelp(area: string, verb: string, command: Command): string {
  const opts = Object.entries({ ...command.options, ...globalOptions })
    .map(([name, o]) => `  --${name}${o.type === 'string' ? ' <value>' : ''}${o.short ? `, -${o.short}` : ''}`)
    .join('\n');
  return `Usage: fw ${area} ${verb} ${command.usage}\n\n${command.summary}\n\nOptions:\n${opts}\n`;
}

/**
 * A reader that stops early (`fw version graph react | head`) closes the pipe: end quietly, as
 * command-line tools do, rather than with Bun's multi-line EPIPE report.
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
