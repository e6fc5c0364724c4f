import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import npa from 'npm-package-arg';
import { BunxError } from './errors.ts';

/** Lockfiles a package may ship; bun install would follow (or migrate) them, so they are removed first. */
const LOCKFILES = ['bun.lock', 'bun.lockb', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml'];

/**
 * Refuses a dependency that would not come from the registry: git, file, link, directory, URL and
 * workspace specs, and aliases to anything but a registry spec.
 * @example
 * assertRegistryDependencies({ '@acme/util': '^1.0.0' }, '@acme/cli@1.2.0'); // fine
 * assertRegistryDependencies({ evil: 'git+https://example.com/x.git' }, '@acme/cli@1.2.0'); // throws INSTALL_FAILED
 */
export function assertRegistryDependencies(deps: Record<string, unknown>, what: string): void {
  for (const [name, spec] of Object.entries(deps)) {
    let parsed: npa.Result | undefined;
    try {
      parsed = typeof spec === 'string' && !/^(workspace|link|portal|patch):/.test(spec) ? npa.resolve(name, spec, '/nonexistent') : undefined;
    } catch {
      parsed = undefined;
    }
    const sub = parsed?.type === 'alias' ? (parsed as npa.Result & { subSpec?: npa.Result }).subSpec : parsed;
    if (!sub || !['version', 'range', 'tag'].includes(sub.type)) {
      throw new BunxError('INSTALL_FAILED', `${what}: the dependency ${name}@${JSON.stringify(spec)} would not come from the registry (only versions, ranges and tags are installed); nothing was cached`);
    }
  }
}

export interface InstallOptions {
  /** The registry every dependency comes from (no trailing slash). */
  registry: string;
  token: string | null;
  /** Run lifecycle scripts (the package's and its dependencies'); off by default. */
  allowScripts?: boolean;
  /** The folder for the bunfig the install reads instead of any the package ships. */
  configDir: string;
  bun?: string;
  env?: Record<string, string | undefined>;
}

const TOKEN_VAR = 'FW_BUNX_INSTALL_TOKEN';

/**
 * The scopes of a dependency map (`@acme` of `@acme/util`).
 * @example
 * dependencyScopes({ '@acme/util': '^1', lodash: '^4', x: 'npm:@other/y@^1' }); // ['@acme', '@other']
 */
export function dependencyScopes(deps: Record<string, unknown>): string[] {
  // the scopes of the names, and of alias targets (`"x": "npm:@other/y@^1"`)
  const names = Object.entries(deps).flatMap(([n, spec]) => [n, typeof spec === 'string' && spec.startsWith('npm:') ? spec.slice(4) : '']);
  return [...new Set(names.map((n) => /^(@[^/@]+)\//.exec(n)?.[1]).filter((s): s is string => Boolean(s)))];
}

/**
 * Installs a package's production dependencies with `bun install --production`, from `registry`
 * only: the registry and every dependency scope point at it in a .npmrc and a bunfig written for
 * this install (the package's own bunfig.toml is not read), the token passed through the
 * environment (`${FW_BUNX_INSTALL_TOKEN}` in the .npmrc, so it is never written to disk), and
 * lifecycle scripts off unless `allowScripts`.
 * @example
 * await installDependencies('/cache/.tmp/x/package', { registry, token, configDir: '/cache/.tmp/x' }, { '@acme/util': '^1.0.0' });
 */
export async function installDependencies(packageDir: string, options: InstallOptions, deps: Record<string, unknown>): Promise<void> {
  for (const lock of LOCKFILES) rmSync(join(packageDir, lock), { force: true });
  const base = `${options.registry}/`;
  const url = new URL(base);
  const lines = [`registry=${base}`, ...dependencyScopes(deps).map((s) => `${s}:registry=${base}`)];
  if (options.token) lines.push(`//${url.host}${url.pathname}:_authToken=\${${TOKEN_VAR}}`);
  // npm never packs a .npmrc; one that a tarball carries anyway is replaced, then removed.
  const npmrc = join(packageDir, '.npmrc');
  writeFileSync(npmrc, `${lines.join('\n')}\n`, { mode: 0o600 });
  const bunfig = join(options.configDir, 'bunfig.toml');
  const tokenLine = options.token ? `, token = "$${TOKEN_VAR}"` : '';
  writeFileSync(bunfig, `[install]\nregistry = { url = ${JSON.stringify(base)}${tokenLine} }\n`, { mode: 0o600 });
  const args = ['install', '--production', `--config=${bunfig}`, `--registry=${base}`, '--no-progress', '--no-summary'];
  if (!options.allowScripts) args.push('--ignore-scripts');
  try {
    const { code, stderr } = await runQuiet(options.bun ?? 'bun', args, packageDir, {
      ...(options.env ?? process.env),
      [TOKEN_VAR]: options.token ?? '',
      NO_COLOR: '1',
    });
    if (code !== 0) {
      const last = stderr.trim().split('\n').filter(Boolean).slice(-2).join(' ').slice(0, 400);
      throw new BunxError('INSTALL_FAILED', `installing the dependencies from ${options.registry} failed (bun install exited ${code}): ${last}`);
    }
  } finally {
    rmSync(npmrc, { force: true });
  }
}

function runQuiet(cmd: string, args: string[], cwd: string, env: Record<string, string | undefined>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-8000);
    });
    child.once('error', (err) => reject(new BunxError('INSTALL_FAILED', `cannot start ${cmd}: ${err.message}`, { cause: err })));
    child.once('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}
