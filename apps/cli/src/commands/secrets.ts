import type { Area, Context } from '../kit.ts';
import { openSecrets, readValue, versionArg } from './_secrets-context.ts';
import { formatAudit, formatInit, formatList } from './_secrets-format.ts';

const common = { config: { type: 'string' as const } };
const writeOptions = {
  ...common,
  env: { type: 'string' as const },
  tag: { type: 'string' as const, multiple: true },
  'max-age-days': { type: 'string' as const },
  vault: { type: 'boolean' as const },
};

function print(ctx: Context, data: unknown, human: () => string): void {
  ctx.out(ctx.json ? JSON.stringify(data, null, 2) : human());
}

async function write(ctx: Context, kind: 'set' | 'rotate') {
  const [key, raw] = ctx.positionals as [string, string];
  const value = await readValue(ctx, raw);
  const m = await openSecrets(ctx);
  const maxAge = ctx.values['max-age-days'] as string | undefined;
  const options = {
    ...(ctx.values.env ? { env: ctx.values.env as string } : {}),
    ...(ctx.values.tag ? { tags: ctx.values.tag as string[] } : {}),
    ...(maxAge ? { maxAgeDays: versionArg(maxAge, '--max-age-days') } : {}),
    ...(ctx.values.vault === true ? { useBunSecrets: false } : {}),
  };
  const info = kind === 'set' ? await m.setSecret(key, value, options) : await m.rotateSecret(key, value, options);
  print(ctx, { key, ...info }, () => `✓ ${key} v${info.version} ${info.action}`);
}

/** `fw secrets <verb>`: values never reach --json output unless --reveal is given. */
const secrets: Area = {
  init: {
    summary: 'choose the backend (OS keychain or encrypted file vault), create the master key, say which and why',
    usage: '[--vault]',
    args: [0, 0],
    options: { ...common, vault: { type: 'boolean' } },
    async run(ctx) {
      const r = await (await openSecrets(ctx)).initialize();
      print(ctx, r, () => formatInit(r, ctx.color));
    },
  },
  set: {
    summary: 'create or update a secret (value "-" reads stdin, keeping it out of shell history)',
    usage: '<key> <value|-> [--env <env>] [--tag <t>]... [--max-age-days <n>] [--vault]',
    args: [2, 2],
    options: writeOptions,
    run: (ctx) => write(ctx, 'set'),
  },
  get: {
    summary: 'print the current value (or --version n); with --json only under --reveal',
    usage: '<key> [--version <n>] [--json --reveal]',
    args: [1, 1],
    options: { ...common, version: { type: 'string' }, reveal: { type: 'boolean' } },
    async run(ctx) {
      const key = ctx.positionals[0]!;
      const version = ctx.values.version === undefined ? undefined : versionArg(ctx.values.version as string);
      const value = await (await openSecrets(ctx)).getSecret(key, version === undefined ? {} : { version });
      if (ctx.json) ctx.out(JSON.stringify({ key, ...(version ? { version } : {}), ...(ctx.values.reveal ? { value } : { value: null, redacted: true }) }, null, 2));
      else ctx.out(value);
    },
  },
  rotate: {
    summary: 'write a new version of an existing secret (value "-" reads stdin)',
    usage: '<key> <value|->',
    args: [2, 2],
    options: writeOptions,
    run: (ctx) => write(ctx, 'rotate'),
  },
  versions: {
    summary: 'the history tree of a secret: version, action, date, actor',
    usage: '<key>',
    args: [1, 1],
    options: common,
    async run(ctx) {
      const key = ctx.positionals[0]!;
      const m = await openSecrets(ctx);
      const versions = await m.getSecretVersions(key);
      print(ctx, { key, versions }, () => m.generateVersionGraph(key, versions, { color: ctx.color }).trimEnd());
    },
  },
  list: {
    summary: 'every secret with its version, age and rotation status (OK / DUE / OVERDUE)',
    usage: '[--all]',
    args: [0, 0],
    options: { ...common, all: { type: 'boolean' } },
    async run(ctx) {
      const rows = await (await openSecrets(ctx)).listSecrets({ includeDeleted: ctx.values.all === true });
      print(ctx, rows, () => formatList(rows, ctx.color));
    },
  },
  delete: {
    summary: 'soft-delete a secret (rollback restores it); --purge destroys every version',
    usage: '<key> [--purge]',
    args: [1, 1],
    options: { ...common, purge: { type: 'boolean' } },
    async run(ctx) {
      const key = ctx.positionals[0]!;
      const purge = ctx.values.purge === true;
      await (await openSecrets(ctx)).deleteSecret(key, { purge });
      print(ctx, { key, deleted: true, purged: purge }, () => `✓ ${key} ${purge ? 'purged (every version destroyed)' : 'deleted (rollback restores it)'}`);
    },
  },
  rollback: {
    summary: 'make the value of version n current again (as a new version)',
    usage: '<key> <version>',
    args: [2, 2],
    options: common,
    async run(ctx) {
      const [key, n] = ctx.positionals as [string, string];
      const info = await (await openSecrets(ctx)).rollbackSecret(key, versionArg(n));
      print(ctx, { key, ...info }, () => `✓ ${key} v${info.version} rollback (value of v${info.from})`);
    },
  },
  audit: {
    summary: 'the audit trail (all keys or one): who did what, when, allowed or denied; never values',
    usage: '[key] [--limit <n>]',
    args: [0, 1],
    options: { ...common, limit: { type: 'string' } },
    async run(ctx) {
      const key = ctx.positionals[0];
      const limit = ctx.values.limit === undefined ? undefined : versionArg(ctx.values.limit as string, '--limit');
      const entries = await (await openSecrets(ctx)).getAuditLog({ ...(key ? { key } : {}), ...(limit ? { limit } : {}) });
      print(ctx, entries, () => formatAudit(entries, ctx.color));
    },
  },
};

export default secrets;
