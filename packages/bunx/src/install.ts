import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BunxError } from './errors.ts';

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
 * dependencyScopes({ '@acme/util': '^1', lodash: '^4' }); // ['@acme']
 */
export function dependencyScopes(deps: Record<string, unknown>): string[] {
  return [...new Set(Object.keys(deps).map((n) => /^(@[^/]+)\//.exec(n)?.[1]).filter((s): s is string => Boolean(s)))];
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
