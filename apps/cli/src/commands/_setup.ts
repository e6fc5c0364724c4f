import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CliError, type Context } from '../kit.ts';
import { RegistryClient, registryUrl, resolveToken, tokenSources, type TokenSource } from './_registry-client.ts';
import { CLIENTS, planSetup, type SetupClient } from './_setup-clients.ts';
import { writeWhole } from './_setup-files.ts';

const REDACTED = '<redacted>';
/** Clients whose release-age exemptions take name patterns (`@acme/*`). */
const GLOB_CLIENTS: readonly SetupClient[] = ['pnpm', 'yarn', 'deno'];

/** This registry's own packages, of the scope when one is given (proxied copies left out). */
async function ownPackages(client: RegistryClient, scope: string | null): Promise<string[]> {
  const res = await client.request<{ packages: Array<{ name: string; uplink?: string }> }>('GET', '/-/fw/packages');
  return res.packages
    .filter((p) => !p.uplink && (!scope || p.name.startsWith(`${scope}/`)))
    .map((p) => p.name)
    .sort();
}

/**
 * `fw registry setup <client>`: writes the config the client reads (merged into what is there) so it
 * uses REGISTRY_URL for the scope or for everything, with the token of FW_TOKEN, the secrets
 * manager's `registry:<host>`, ./.npmrc or ~/.npmrc (the first that has one), and exempts this registry's packages from the client's release-age
 * gate. The token is never printed; `--dry-run` shows every file as it would be, token redacted.
 */
export async function setup(ctx: Context): Promise<void> {
  const client = ctx.positionals[0] as SetupClient;
  if (!CLIENTS.includes(client)) throw new CliError(`unknown client ${JSON.stringify(client)}: use one of ${CLIENTS.join(', ')}`, 2);
  const scopeArg = ctx.values.scope as string | undefined;
  if (scopeArg !== undefined && !/^@?[a-z0-9][a-z0-9._-]*$/.test(scopeArg)) throw new CliError(`--scope must be a scope like @acme, got ${JSON.stringify(scopeArg)}`, 2);
  const scope = scopeArg === undefined ? null : scopeArg.startsWith('@') ? scopeArg : `@${scopeArg}`;
  if (ctx.values.user === true && ctx.values.project === true) throw new CliError('give --user or --project, not both', 2);
  const where = ctx.values.user === true ? 'user' : 'project';
  const dryRun = ctx.values['dry-run'] === true;

  const registry = registryUrl(ctx.env);
  // the same sources as every other command: a token `npm adduser` just wrote to ~/.npmrc counts too
  const sources: TokenSource[] = tokenSources(ctx.env, { secrets: async () => (await import('./_secrets-context.ts')).openSecrets(ctx) });
  // A keychain that cannot open is no token, not a failure: the config is still worth writing.
  const token = await resolveToken(registry, sources).catch(() => null);
  const exclude = await ownPackages(new RegistryClient(registry, token), scope);
  const home = ctx.env.HOME || homedir();
  const plan = await planSetup(client, {
    registry, scope, token, exclude, patterns: scope ? [`${scope}/*`] : [], where,
    cwd: resolve(process.cwd()), home, configHome: ctx.env.XDG_CONFIG_HOME || join(home, '.config'),
  });

  const redact = (text: string) => (token ? text.split(token).join(REDACTED) : text);
  const changed = plan.changes.filter((c) => c.after !== c.before);
  if (!dryRun) for (const change of changed) await writeWhole(change);
  const data = {
    client, registry, scope, where, dryRun, token: token ? REDACTED : null, exclude,
    files: plan.changes.map((c) => ({ path: c.path, created: c.before === null, changed: c.after !== c.before, ...(dryRun ? { content: redact(c.after) } : {}) })),
    notes: plan.notes,
  };
  if (ctx.json) {
    ctx.out(JSON.stringify(data, null, 2));
  } else {
    const lines: string[] = [];
    for (const c of plan.changes) {
      const verb = c.after === c.before ? 'unchanged' : dryRun ? (c.before === null ? 'would create' : 'would update') : c.before === null ? 'created' : 'updated';
      lines.push(`${verb} ${c.path}`);
      if (dryRun && c.after !== c.before) lines.push(...redact(c.after).trimEnd().split('\n').map((l) => `  | ${l}`));
    }
    lines.push(`${client} → ${registry}/${scope ? ` for ${scope}` : ''}; token: ${token ? REDACTED : 'none (set FW_TOKEN or the secret registry:<host>, or log in with npm adduser first)'}`);
    // pnpm, yarn and deno take the scope's glob; npm and bun only exact names of what is published
    const exempt = [...(scope && GLOB_CLIENTS.includes(client) ? [`${scope}/*`] : []), ...exclude];
    lines.push(`release-age exemption: ${exempt.length ? exempt.join(', ') : `(no packages here yet: ${client} takes exact names, so run setup again after the first publish)`}`);
    lines.push(...plan.notes.map((n) => `note: ${n}`));
    ctx.out(lines.join('\n'));
  }
}
