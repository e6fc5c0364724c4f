import { CliError, formatHelp, parse, readStdin, useColor, type Area } from './kit.ts';

/** Command areas load lazily so `fw --help` stays fast. */
const areas: Record<string, { summary: string; load: () => Promise<Area> }> = {
  version: { summary: 'parse, compare, recommend versions; version graphs', load: async () => (await import('./commands/version.ts')).default },
  secrets: { summary: 'versioned secrets: keychain, encrypted history, rotation, rollback, audit', load: async () => (await import('./commands/secrets.ts')).default },
  registry: { summary: 'run the registry; publish, info, search, list, stats; config init/load', load: async () => (await import('./commands/registry.ts')).default },
  pkg: { summary: 'package docs: fetch README and symbols, search, list the cache', load: async () => (await import('./commands/pkg.ts')).default },
  sync: { summary: 'copy the local store to R2/S3 (upload, status); Dash/Zeal docsets (docset create)', load: async () => (await import('./commands/sync.ts')).default },
  rss: { summary: 'release feeds: fetch (RSS 2.0, Atom), list, html', load: async () => (await import('./commands/rss.ts')).default },
  bunx: { summary: 'run private package bins like bun x: run, resolve, cache, clean', load: async () => (await import('./commands/bunx.ts')).default },
};

function topHelp(): string {
  const lines = Object.entries(areas).map(([name, a]) => `  ${name.padEnd(10)} ${a.summary}`);
  return `Usage: fw <area> <verb> [args] [--json] [--help]\n\nAreas:\n${lines.join('\n')}\n\nRun "fw <area> --help" for the verbs of an area.\n`;
}

/** Runs the CLI and returns the exit code: 0 success, 1 failure, 2 usage error. */
export async function main(argv: string[], io = { out: (s: string) => process.stdout.write(s), err: (s: string) => process.stderr.write(s) }): Promise<number> {
  const [areaName, verb, ...rest] = argv;
  try {
    if (!areaName || areaName === '--help' || areaName === '-h') {
      io.out(topHelp());
      return areaName ? 0 : 2;
    }
    const area = areas[areaName];
    if (!area) throw new CliError(`unknown command area "${areaName}" (try: ${Object.keys(areas).join(', ')})`, 2);
    const commands = await area.load();
    if (!verb || verb === '--help' || verb === '-h') {
      const lines = Object.entries(commands).map(([name, c]) => `  ${areaName} ${name} ${c.usage}\n      ${c.summary}`);
      io.out(`Usage: fw ${areaName} <verb>\n\n${lines.join('\n')}\n`);
      return verb ? 0 : 2;
    }
    const command = commands[verb];
    if (!command) throw new CliError(`unknown command "${areaName} ${verb}" (try: ${Object.keys(commands).join(', ')})`, 2);
    const { values, positionals } = parse(command, rest);
    if (values.help) {
      io.out(formatHelp(areaName, verb, command));
      return 0;
    }
    const [min, max] = command.args ?? [0, Infinity];
    if (positionals.length < min || positionals.length > max) {
      throw new CliError(`usage: fw ${areaName} ${verb} ${command.usage}`, 2);
    }
    const code = await command.run({
      positionals,
      values,
      json: values.json === true,
      out: (s) => io.out(s.endsWith('\n') ? s : `${s}\n`),
      err: (s) => io.err(s.endsWith('\n') ? s : `${s}\n`),
      color: useColor(process.env),
      env: process.env,
      stdin: readStdin,
    });
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    return reportError(err, io.err);
  }
}

/** One line: a message that spans lines (input echoed back, a library's text) is folded. */
const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();

/** The one place where errors become a stderr line and an exit code. Never a stack trace. */
export function reportError(err: unknown, write: (s: string) => void): number {
  if (err instanceof CliError) {
    write(`fw: ${oneLine(err.message)}\n`);
    return err.exitCode;
  }
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && typeof e.message === 'string') {
    // Typed errors of our packages: a user mistake or an environment problem.
    write(`fw: ${oneLine(e.message)} [${e.code}]\n`);
    return 1;
  }
  const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  write(`fw: unexpected error: ${oneLine(what)}\n`);
  return 1;
}
