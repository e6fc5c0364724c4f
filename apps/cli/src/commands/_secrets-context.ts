import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { userInfo } from 'node:os';
import { createStoreFromEnv } from '@factorywager/r2-store';
import { RegistrySecretsManager, type SecretsPolicy } from '@factorywager/secrets';
import { CliError, type Context } from '../kit.ts';
import { configPath } from './_config-path.ts';

/**
 * Who the audit names: FW_ACTOR, else the user of the registry token FW_TOKEN (its `sub`, read
 * without verifying the signature: it only names the local user, as FW_ACTOR does), else the OS user.
 */
export function resolveActor(env: NodeJS.ProcessEnv): string {
  if (env.FW_ACTOR) return env.FW_ACTOR;
  const sub = tokenSubject(env.FW_TOKEN);
  if (sub) return sub;
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}

function tokenSubject(token: string | undefined): string | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' && claims.sub ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

/** The secrets policy of the registry config (`secrets` + `users`), when a config file is present. */
async function loadPolicy(ctx: Context): Promise<SecretsPolicy | undefined> {
  const explicit = configPath(ctx) ?? ctx.env.FW_CONFIG;
  const path = explicit ?? 'registry.config.json5';
  if (!explicit && !existsSync(resolve(path))) return undefined;
  const { loadRegistryConfig } = await import('@factorywager/registry-server/node');
  const config = await loadRegistryConfig({ path, env: ctx.env });
  return { ...config.secrets, users: config.users };
}

/** Builds the manager the way every secrets command uses it. */
export async function openSecrets(ctx: Context): Promise<RegistrySecretsManager> {
  const policy = await loadPolicy(ctx);
  return new RegistrySecretsManager({
    store: createStoreFromEnv(ctx.env, 'secrets'),
    env: ctx.env,
    actor: resolveActor(ctx.env),
    ...(policy ? { policy } : {}),
    ...(ctx.values.vault === true ? { useBunSecrets: false } : {}),
  });
}

/** A secret value from the command line; `-` reads stdin (one trailing newline dropped). */
export async function readValue(ctx: Context, arg: string): Promise<string> {
  if (arg !== '-') return arg;
  const text = await ctx.stdin();
  return text.replace(/\r?\n$/, '');
}

/** A positive integer argument, else a usage error. */
export function versionArg(text: string | undefined, what = 'version'): number {
  if (!text || !/^[1-9]\d*$/.test(text)) throw new CliError(`${what} must be a positive integer, got ${JSON.stringify(text ?? '')}`, 2);
  return Number(text);
}
