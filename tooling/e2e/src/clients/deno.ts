import { join } from 'node:path';
import { repoRoot } from '../registry-process.ts';
import { runOk } from '../run.ts';
import type { ClientWorkspace } from '../workspace.ts';
import type { RegistryClient } from './types.ts';

/** Deno 2.9 from the npm package `deno` (pinned root devDependency; the binary ships inside it). */
export const DENO_BIN = join(repoRoot, 'node_modules/.bin/deno');

/**
 * Deno reads `.npmrc` for the registry and token and `deno.json` for `minimumDependencyAge`, both
 * written by `fw registry setup deno`. With a package.json in the folder `deno install` fills
 * node_modules. Deno has no publish, whoami or registry metadata command for npm packages.
 */
export function denoClient(ws: ClientWorkspace): RegistryClient {
  const env = { ...ws.env, DENO_DIR: join(ws.cache, 'deno'), DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' };
  const deno = (args: string[], cwd = ws.root) => runOk(DENO_BIN, args, { cwd, env });
  return {
    name: 'deno',
    setupAs: 'deno',
    ws,
    version: async () => (await deno(['--version'])).stdout.split('\n')[0]!.trim(),
    async install(projectDir) {
      await deno(['install'], projectDir);
    },
  };
}
