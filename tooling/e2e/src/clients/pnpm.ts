import { join } from 'node:path';
import { repoRoot } from '../registry-process.ts';
import { runOk } from '../run.ts';
import type { ClientWorkspace } from '../workspace.ts';
import { parseDistTags, type FullClient } from './types.ts';

/** pnpm, pinned as a devDependency of the workspace root. pnpm has no `token` command. */
export const PNPM_BIN = join(repoRoot, 'node_modules/.bin/pnpm');

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

export function pnpmClient(ws: ClientWorkspace): FullClient {
  const pnpm = (args: string[], cwd = ws.root, answers?: Array<[RegExp, string]>) =>
    runOk(PNPM_BIN, [...args, '--registry', ws.registry], { cwd, env: ws.env, answers, pty: answers !== undefined });
  return {
    name: 'pnpm',
    setupAs: 'pnpm',
    ws,
    version: async () => (await runOk(PNPM_BIN, ['--version'], { env: ws.env })).stdout.trim(),
    async login(user, password, email) {
      await pnpm(['login'], ws.root, [
        // pnpm 12 refuses to prompt without a terminal, so this runs under a pty
        [/[Uu]sername:*\s*$/, user],
        [/[Pp]assword:*\s*$/, password],
        [/[Ee]mail[^:]*:*\s*$/, email],
      ]);
    },
    whoami: async () => (await pnpm(['whoami'])).stdout.trim(),
    async publish(dir, { tag } = {}) {
      await pnpm(['publish', '--no-git-checks', ...(tag ? ['--tag', tag] : [])], dir);
    },
    async view(spec, field) {
      const { stdout } = await pnpm(['view', spec, ...(field ? [field] : []), '--json']);
      return stdout.trim() ? JSON.parse(stdout) : undefined;
    },
    async install(projectDir) {
      await pnpm(['install', '--store-dir', join(ws.cache, 'pnpm-store')], projectDir);
    },
    async ping() {
      await pnpm(['ping']);
    },
    async distTagAdd(spec, tag) {
      await pnpm(['dist-tag', 'add', spec, tag]);
    },
    distTagLs: async (pkg) => parseDistTags((await pnpm(['dist-tag', 'ls', pkg])).stdout),
    async distTagRm(pkg, tag) {
      await pnpm(['dist-tag', 'rm', pkg, tag]);
    },
    async deprecate(spec, message) {
      await pnpm(['deprecate', spec, message]);
    },
    async undeprecate(spec) {
      await pnpm(['undeprecate', spec]);
    },
    async unpublish(spec, { force } = {}) {
      await pnpm(['unpublish', spec, ...(force ? ['--force'] : [])]);
    },
    async search(query) {
      const { stdout } = await pnpm(['search', query, '--json']);
      const parsed = JSON.parse(stdout) as Array<{ name: string }> | { objects: Array<{ package: { name: string } }> };
      return Array.isArray(parsed) ? parsed.map((p) => p.name) : parsed.objects.map((o) => o.package.name);
    },
    async audit(projectDir) {
      await pnpm(['audit'], projectDir);
    },
    ownerLs: async (pkg) => lines((await pnpm(['owner', 'ls', pkg])).stdout),
    // pnpm 12 takes the package first: `pnpm owner add <pkg> <user>`
    async ownerAdd(user, pkg) {
      await pnpm(['owner', 'add', pkg, user]);
    },
    async ownerRm(user, pkg) {
      await pnpm(['owner', 'rm', pkg, user]);
    },
    accessListPackages: async (entity) => JSON.parse((await pnpm(['access', 'list', 'packages', ...(entity ? [entity] : []), '--json'])).stdout),
    async accessListCollaborators(pkg) {
      // pnpm 12 prints a list of { user, email, permissions }
      const list = JSON.parse((await pnpm(['access', 'list', 'collaborators', pkg, '--json'])).stdout) as Array<{ user: string; permissions: string }>;
      return Object.fromEntries(list.map((e) => [e.user, e.permissions]));
    },
    async star(pkg) {
      await pnpm(['star', pkg]);
    },
    async unstar(pkg) {
      await pnpm(['unstar', pkg]);
    },
    stars: async (user) => lines((await pnpm(['stars', ...(user ? [user] : [])])).stdout),
  };
}
