import type { Command, Context } from '../kit.ts';
import { CliError } from '../kit.ts';
import { configPath } from './_config-path.ts';

/** Opens the store of the registry's config (as `registry start` would). */
async function openStore(ctx: Context) {
  const [{ loadRegistryConfig }, { createStore }] = await Promise.all([import('@factorywager/registry-server/node'), import('@factorywager/r2-store')]);
  const config = await loadRegistryConfig({ path: configPath(ctx), env: ctx.env });
  return createStore(config.storage);
}

/** The password for `user add`: the first line on stdin (so it never shows in the process list). */
async function passwordFromStdin(ctx: Context): Promise<string> {
  if (process.stdin.isTTY) ctx.err('password (then Enter and Ctrl-D):');
  const password = (await ctx.stdin()).split(/\r?\n/)[0] ?? '';
  if (!password) throw new CliError('no password on stdin: printf %s "<password>" | fw registry user add <name>', 2);
  return password;
}

async function add(ctx: Context, name: string): Promise<void> {
  const { addUser } = await import('@factorywager/registry-server');
  const raw = ctx.values.iterations as string | undefined;
  // a registry on Cloudflare Workers can check at most 100,000 (its Web Crypto refuses more)
  if (raw !== undefined && (!/^\d+$/.test(raw) || Number(raw) < 10_000 || Number(raw) > 10_000_000)) {
    throw new CliError(`--iterations must be a whole number from 10000 to 10000000, got ${JSON.stringify(raw)}`, 2);
  }
  const iterations = raw === undefined ? undefined : Number(raw);
  const password = await passwordFromStdin(ctx);
  const store = await openStore(ctx);
  try {
    const email = ctx.values.email as string | undefined;
    const user = await addUser(store, name, password, { ...(email ? { email } : {}), ...(iterations ? { iterations } : {}) });
    ctx.out(ctx.json ? JSON.stringify(user, null, 2) : `created user ${user.name}; they log in with npm login`);
  } finally {
    await store.close?.();
  }
}

async function remove(ctx: Context, name: string): Promise<void> {
  const { deleteUser } = await import('@factorywager/registry-server');
  const store = await openStore(ctx);
  try {
    const result = await deleteUser(store, name);
    ctx.out(ctx.json ? JSON.stringify(result, null, 2)
      : `deleted user ${result.name}; revoked ${result.tokensRevoked} token${result.tokensRevoked === 1 ? '' : 's'}`);
  } finally {
    await store.close?.();
  }
}

/**
 * `fw registry user add|delete <name>`: accounts made and removed by an administrator, in the store of
 * the registry's config (the same REGISTRY_CONFIG / registry.config.json5 and environment as `start`).
 * Works while the registry runs: every replica reads users from the store.
 */
export const userCommand: Command = {
  summary: 'add: create an account (password on stdin), also one the config names; delete: remove it and revoke all its tokens',
  usage: '<add|delete> <name> [--email <address>] [--iterations <n>] [--config <file>]',
  args: [2, 2],
  options: { config: { type: 'string' }, email: { type: 'string' }, iterations: { type: 'string' } },
  async run(ctx) {
    const [action, name] = ctx.positionals as [string, string];
    if (action === 'add') return add(ctx, name);
    if (action === 'delete') return remove(ctx, name);
    throw new CliError(`usage: fw registry user <add|delete> <name> (got ${JSON.stringify(action)})`, 2);
  },
};
