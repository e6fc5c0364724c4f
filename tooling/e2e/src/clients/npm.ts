import { join } from 'node:path';
import { repoRoot } from '../registry-process.ts';
import { run, runOk } from '../run.ts';
import type { ClientWorkspace } from '../workspace.ts';
import { parseDistTags, type FullClient } from './types.ts';

/** npm, pinned as a devDependency of the workspace root (node_modules/.bin/npm). */
export const NPM_BIN = join(repoRoot, 'node_modules/.bin/npm');

const loginPrompts = (user: string, password: string, email: string): Array<[RegExp, string]> => [
  [/Username:\s*$/, user],
  [/Password:\s*$/, password],
  [/Email[^:]*:\s*$/, email],
];

export function npmClient(ws: ClientWorkspace): FullClient {
  const npm = (args: string[], cwd = ws.root, answers?: Array<[RegExp, string]>) =>
    runOk(NPM_BIN, [...args, '--registry', ws.registry], { cwd, env: ws.env, answers });
  return {
    name: 'npm',
    setupAs: 'npm',
    ws,
    version: async () => (await runOk(NPM_BIN, ['--version'], { env: ws.env })).stdout.trim(),
    async login(user, password, email) {
      await npm(['adduser'], ws.root, loginPrompts(user, password, email));
    },
    whoami: async () => (await npm(['whoami'])).stdout.trim(),
    async publish(dir, { tag } = {}) {
      await npm(['publish', ...(tag ? ['--tag', tag] : [])], dir);
    },
    async view(spec, field) {
      const { stdout } = await npm(['view', spec, ...(field ? [field] : []), '--json']);
      return stdout.trim() ? JSON.parse(stdout) : undefined;
    },
    async install(projectDir) {
      await npm(['install', '--no-audit'], projectDir);
    },
    async ping() {
      await npm(['ping']);
    },
    async distTagAdd(spec, tag) {
      await npm(['dist-tag', 'add', spec, tag]);
    },
    distTagLs: async (pkg) => parseDistTags((await npm(['dist-tag', 'ls', pkg])).stdout),
    async distTagRm(pkg, tag) {
      await npm(['dist-tag', 'rm', pkg, tag]);
    },
    async deprecate(spec, message) {
      await npm(['deprecate', spec, message]);
    },
    async undeprecate(spec) {
      await npm(['undeprecate', spec]);
    },
    async unpublish(spec, { force } = {}) {
      await npm(['unpublish', spec, ...(force ? ['--force'] : [])]);
    },
    async search(query) {
      const { stdout } = await npm(['search', query, '--json']);
      return (JSON.parse(stdout) as Array<{ name: string }>).map((p) => p.name);
    },
    async audit(projectDir) {
      await npm(['audit'], projectDir);
    },
    async tokenCreate(password, { readOnly } = {}) {
      // npm 11 sends no `readonly` for --read-only; a read-only token is asked for as a
      // granular permission instead.
      const flags = readOnly ? ['--packages-and-scopes-permission', 'read-only'] : [];
      const { stdout } = await npm(['token', 'create', ...flags, '--name', 'e2e', '--json'], ws.root, [
        [/[Pp]assword:\s*$/, password],
      ]);
      const json = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { token: string };
      return json.token;
    },
    async tokenList() {
      // npm prints keys redacted and derives a short `id` from each; revoke takes that id.
      const { stdout } = await npm(['token', 'list', '--json']);
      return (JSON.parse(stdout) as Array<{ id: string; readonly: boolean }>).map((t) => ({ key: t.id, readonly: t.readonly }));
    },
    async tokenRevoke(key) {
      await npm(['token', 'revoke', key]);
    },
    ownerLs: async (pkg) => lines((await npm(['owner', 'ls', pkg])).stdout),
    async ownerAdd(user, pkg) {
      await npm(['owner', 'add', user, pkg]);
    },
    async ownerRm(user, pkg) {
      await npm(['owner', 'rm', user, pkg]);
    },
    profileGet: async () => JSON.parse((await npm(['profile', 'get', '--json'])).stdout),
    async profileSetPassword(current, next) {
      await npm(['profile', 'set', 'password'], ws.root, [
        [/Current password:\s*$/, current],
        [/New password:\s*$/, next],
        [/Again:\s*$/, next],
      ]);
    },
    accessListPackages: async (entity) => JSON.parse((await npm(['access', 'list', 'packages', ...(entity ? [entity] : []), '--json'])).stdout),
    accessListCollaborators: async (pkg) => JSON.parse((await npm(['access', 'list', 'collaborators', pkg, '--json'])).stdout),
    async star(pkg) {
      await npm(['star', pkg]);
    },
    async unstar(pkg) {
      await npm(['unstar', pkg]);
    },
    stars: async (user) => lines((await npm(['stars', ...(user ? [user] : [])])).stdout),
  };
}

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

/** `npm whoami` with an explicit token, for checks that a token works or stopped working. */
export async function whoamiWithToken(ws: ClientWorkspace, token: string) {
  const host = ws.registry.replace(/^https?:/, '');
  return run(NPM_BIN, ['whoami', '--registry', ws.registry, `--${host}:_authToken=${token}`], { env: ws.env });
}
