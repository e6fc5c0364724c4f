import { join } from 'node:path';
import { repoRoot } from '../registry-process.ts';
import { runOk } from '../run.ts';
import type { ClientWorkspace } from '../workspace.ts';
import type { RegistryClient } from './types.ts';

/** Yarn 1.22, pinned as the root devDependency `yarn` (run with Node: the .bin name belongs to Yarn 4). */
export const YARN1_JS = join(repoRoot, 'node_modules/yarn/bin/yarn.js');

/**
 * Yarn 1.22 reads `.npmrc` (the registry and `_authToken`), so `fw registry setup yarn` serves it too.
 * It has publish, info and install; no whoami, deprecate or unpublish, and its `login` stores a name
 * only, so npm logs in for it. Its `owner` commands read `_rev` and `maintainers` from the abbreviated
 * packument it asks for (which has neither, here as on npmjs), so they are not part of the scenario.
 */
export function yarn1Client(ws: ClientWorkspace): RegistryClient {
  const env = { ...ws.env, YARN_CACHE_FOLDER: join(ws.cache, 'yarn1'), YARN_ENABLE_TELEMETRY: '0' };
  const yarn = (args: string[], cwd = ws.root) => runOk('node', [YARN1_JS, ...args], { cwd, env });
  const info = async (args: string[]) => {
    const { stdout } = await yarn(['info', ...args, '--json', '--non-interactive']);
    const line = stdout.split('\n').find((l) => l.startsWith('{"type":"inspect"'));
    return line ? (JSON.parse(line) as { data: unknown }).data : undefined;
  };
  return {
    name: 'yarn1',
    setupAs: 'yarn',
    ws,
    version: async () => (await yarn(['--version'])).stdout.trim(),
    async publish(dir, { tag } = {}) {
      await yarn(['publish', '--non-interactive', ...(tag ? ['--tag', tag] : [])], dir);
    },
    view: (spec, field) => info([spec, ...(field ? [field] : [])]),
    async install(projectDir) {
      await yarn(['install', '--non-interactive'], projectDir);
    },
  };
}
