import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePackage } from '../fixtures.ts';
import { repoRoot } from '../registry-process.ts';
import { runOk } from '../run.ts';
import type { ClientWorkspace } from '../workspace.ts';
import type { RegistryClient } from './types.ts';

/** Yarn 4 from `@yarnpkg/cli-dist` (pinned root devDependency), run with Node: corepack would need the internet. */
export const YARN4_JS = join(repoRoot, 'node_modules/@yarnpkg/cli-dist/bin/yarn.js');

/**
 * Yarn 4 reads only `.yarnrc.yml` (home and project), which `fw registry setup yarn` writes: the
 * registry, the token, `unsafeHttpWhitelist` for http, and `npmPreapprovedPackages` past its one-day
 * `npmMinimalAgeGate`. Installs use the node-modules linker so the scenario can look at node_modules.
 */
export function yarn4Client(ws: ClientWorkspace): RegistryClient {
  const env = {
    ...ws.env,
    YARN_GLOBAL_FOLDER: join(ws.cache, 'berry'),
    YARN_ENABLE_TELEMETRY: '0',
    YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
    YARN_ENABLE_PROGRESS_BARS: 'false',
  };
  const yarn = (args: string[], cwd = ws.root, extra: Record<string, string> = {}) =>
    runOk('node', [YARN4_JS, ...args], { cwd, env: { ...env, ...extra } });
  return {
    name: 'yarn4',
    setupAs: 'yarn',
    ws,
    version: async () => (await yarn(['--version'])).stdout.trim(),
    readsOnlyOwnConfig: true,
    async whoami() {
      const lines = (await yarn(['npm', 'whoami'])).stdout.split('\n').map((l) => l.replace(/^➤ YN0000: /, '').trim());
      return lines.filter((l) => l && !/^Done in /.test(l)).pop() ?? '';
    },
    async publish(dir, { tag } = {}) {
      // `yarn npm publish` needs the folder installed as a project first. This install only makes
      // the lockfile for publishing: the age gate is the subject of the consumer's install, not this one.
      await yarn(['install'], dir, { YARN_NPM_MINIMAL_AGE_GATE: '0' });
      await yarn(['npm', 'publish', ...(tag ? ['--tag', tag] : [])], dir);
    },
    async view(spec, field) {
      // `yarn npm info` runs inside a project: a small one of its own
      const dir = join(ws.root, 'yarn4-cli');
      if (!existsSync(dir)) writePackage(dir, { name: 'yarn4-cli', version: '0.0.0', private: true }, {});
      const { stdout } = await yarn(['npm', 'info', spec, ...(field ? ['--fields', field] : []), '--json'], dir);
      const doc = JSON.parse(stdout) as Record<string, unknown>;
      return field ? doc[field] : doc;
    },
    prepareProject(dir) {
      writeFileSync(join(dir, '.yarnrc.yml'), 'nodeLinker: node-modules\n');
    },
    async install(projectDir) {
      await yarn(['install'], projectDir);
    },
  };
}
