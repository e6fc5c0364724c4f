import { runOk } from '../run.ts';
import type { ClientWorkspace } from '../workspace.ts';
import type { FullClient } from './types.ts';

/**
 * bun 1.4 (the pinned global install). Bun has publish, install, `bun info` and `bun pm whoami`,
 * and no login, dist-tag, deprecate, unpublish, search, token, ping or audit commands: the
 * scenario runs those steps only for clients that have them.
 */
export function bunClient(ws: ClientWorkspace): FullClient {
  const bun = (args: string[], cwd = ws.root) => runOk('bun', args, { cwd, env: ws.env });
  return {
    name: 'bun',
    setupAs: 'bun',
    ws,
    version: async () => (await bun(['--version'])).stdout.trim(),
    whoami: async () => (await bun(['pm', 'whoami', '--registry', ws.registry])).stdout.trim(),
    async publish(dir, { tag } = {}) {
      await bun(['publish', '--registry', ws.registry, ...(tag ? ['--tag', tag] : [])], dir);
    },
    async view(spec, field) {
      const { stdout } = await bun(['info', spec, ...(field ? [field] : []), '--json', '--registry', ws.registry]);
      return stdout.trim() ? JSON.parse(stdout) : undefined;
    },
    async install(projectDir) {
      await bun(['install', '--registry', ws.registry], projectDir);
    },
  };
}
