import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.ts';

// The product's command reference: every command is a root script `bun run <area>:<verb>` and
// `fw <area> <verb>` (a third part is a sub-verb: registry:config:init is `fw registry config init`).
export const REFERENCE = [
  'version:parse', 'version:compare', 'version:recommend', 'version:graph', 'version:rollback', 'version:history',
  'secrets:init', 'secrets:set', 'secrets:get', 'secrets:rotate', 'secrets:versions', 'secrets:list', 'secrets:delete',
  'secrets:rollback', 'secrets:audit',
  'bunx:run', 'bunx:resolve', 'bunx:cache', 'bunx:clean',
  'registry:start', 'registry:publish', 'registry:info', 'registry:search', 'registry:list', 'registry:stats',
  'registry:setup', 'registry:user:add', 'registry:user:delete', 'registry:config:init', 'registry:config:load',
  'pkg:fetch', 'pkg:search', 'pkg:local',
  'sync:upload', 'sync:status', 'sync:docset:create',
  'rss:fetch', 'rss:list', 'rss:html',
];

const root = fileURLToPath(new URL('../../../', import.meta.url));
const scripts = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;

async function fw(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => { out += s; return true; }, err: (s) => { err += s; return true; } });
  return { code, out, err };
}

describe('the command reference', () => {
  it('is exactly the root scripts of the form <area>:<verb>, each running fw <area> <verb>', () => {
    const commandScripts = Object.keys(scripts).filter((s) => /^[a-z]+:[a-z:]+$/.test(s) && s !== 'test:ci');
    expect(commandScripts.sort()).toEqual([...REFERENCE].sort());
    for (const name of REFERENCE) {
      // bunx:run starts from the runner's warm-path entry, which loads the CLI only on a cache miss,
      // and without the source condition (the bin resolves its dependencies as under `bun x`).
      // registry:start gives the runtime's file thread pool 16 threads unless it is set (docs/configuration.md).
      const env = name === 'registry:start' ? 'UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE:-16} ' : '';
      const command = name === 'bunx:run' ? 'bun apps/cli/src/bunx-run.cts' : `${env}bun --conditions=source apps/cli/src/bin.ts ${name.split(':').join(' ')}`;
      expect(scripts[name], name).toBe(command);
    }
  });

  it('is exactly what fw --help and fw <area> --help list', async () => {
    const top = await fw('--help');
    const areas = [...top.out.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
    expect(areas.sort()).toEqual([...new Set(REFERENCE.map((c) => c.split(':')[0]))].sort());
    for (const area of areas) {
      const help = await fw(area!, '--help');
      expect(help.code).toBe(0);
      const listed = [...help.out.matchAll(new RegExp(`^ {2}${area} ([a-z-]+)(?: <([a-z]+(?:\\|[a-z]+)+)>| ([a-z]+)(?= |$))?`, 'gm'))]
        .flatMap((m) => {
          // `<init|load>` lists sub-verbs where the reference has them (registry config init);
          // elsewhere it is an argument's choices (registry setup <npm|pnpm|...>).
          const subs = m[2]?.split('|') ?? (m[3] ? [m[3]] : []);
          const asSubVerbs = subs.length > 0 && REFERENCE.includes(`${area}:${m[1]}:${subs[0]}`);
          return asSubVerbs ? subs.map((sub) => `${area}:${m[1]}:${sub}`) : [`${area}:${m[1]}`];
        });
      expect(listed.sort(), `fw ${area} --help`).toEqual(REFERENCE.filter((c) => c.startsWith(`${area}:`)).sort());
    }
  });

  it('every command answers --help with its usage', async () => {
    for (const name of REFERENCE) {
      const [area, verb] = name.split(':');
      const { code, out } = await fw(area!, verb!, '--help');
      expect(code, name).toBe(0);
      expect(out, name).toContain(`fw ${area} ${verb}`);
    }
  });

  it('is the README command reference', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('## Command reference'));
    const rows = section.split('\n').filter((l) => l.startsWith('| `bun run '));
    const listed = rows.flatMap((row) => [...row.matchAll(/`bun run ([a-z:]+)`/g)].map((m) => m[1]));
    expect(new Set(listed)).toEqual(new Set(REFERENCE));
  });
});
