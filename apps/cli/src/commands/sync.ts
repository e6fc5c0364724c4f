import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Store } from '@factorywager/r2-store';
import type { SyncTargets } from '@factorywager/sync';
import { CliError, type Area, type Context } from '../kit.ts';
import { formatBytes, progressBar } from '../progress.ts';
import { configPath } from './_config-path.ts';

const NO_TARGET = 'sync needs an R2 or S3 store to copy to: set R2_ACCOUNT_ID, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY and R2_REGISTRY_BUCKET, '
  + 'or S3_ENDPOINT with S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and S3_BUCKET, or an s3 storage section in registry.config.json5';

interface Wiring { source: Store; targets: SyncTargets; from: string; journalPath: string; where: string; close(): Promise<void> }

/** The local fs store (the data folder) and the configured R2/S3 store(s); secrets may have a bucket of their own. */
async function wire(ctx: Context): Promise<Wiring> {
  const [{ loadRegistryConfig }, { createStore, storeConfigFromEnv }] = await Promise.all([
    import('@factorywager/registry-server/node'), import('@factorywager/r2-store'),
  ]);
  const config = await loadRegistryConfig({ path: configPath(ctx), env: ctx.env });
  if (config.storage.driver !== 's3') throw new CliError(NO_TARGET);
  const from = resolve((ctx.values.from as string | undefined) ?? config.dataDir);
  if (!existsSync(from)) throw new CliError(`nothing to sync: the data folder ${from} does not exist (set FW_DATA_DIR or --from)`);
  const registry = createStore(config.storage);
  const secretsConfig = storeConfigFromEnv(ctx.env, 'secrets');
  const own = secretsConfig.driver === 's3' && (secretsConfig.bucket !== config.storage.bucket || secretsConfig.endpoint !== config.storage.endpoint);
  const secrets = own ? createStore(secretsConfig) : undefined;
  const s = config.storage;
  const where = `${s.endpoint ?? s.accountId}/${s.bucket}${s.prefix ? `/${s.prefix}` : ''}`;
  const id = createHash('sha256').update(`${where}\n${own && secretsConfig.driver === 's3' ? secretsConfig.bucket : ''}`).digest('hex').slice(0, 16);
  const source = createStore({ driver: 'fs', root: from });
  return {
    source, targets: { registry, ...(secrets ? { secrets } : {}) }, from, where,
    journalPath: join(from, '.sync', `${id}.jsonl`),
    async close() { await Promise.all([registry.close?.(), secrets?.close?.(), source.close?.()]); },
  };
}

function concurrencyOf(ctx: Context): number {
  const raw = (ctx.values.concurrency as string | undefined) ?? '8';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 64) throw new CliError(`--concurrency must be a whole number from 1 to 64, got ${JSON.stringify(raw)}`, 2);
  return n;
}

const common = { config: { type: 'string' }, from: { type: 'string' }, 'include-auth-secret': { type: 'boolean' } } as const;

async function docset(ctx: Context): Promise<void> {
  const [action, ...names] = ctx.positionals;
  if (action !== 'create') throw new CliError(`usage: fw sync docset create [pkg...] (got ${JSON.stringify(action)})`, 2);
  const { openDocsCache } = await import('./_docs-context.ts');
  const { createDocset } = await import('@factorywager/docs');
  const cache = await openDocsCache(ctx);
  let docs = await cache.list();
  if (names.length > 0) {
    const missing = names.filter((n) => !docs.some((d) => d.name === n));
    if (missing.length) throw new CliError(`not in the docs cache: ${missing.join(', ')} (bun run pkg:fetch ${missing.join(' ')})`);
    docs = docs.filter((d) => names.includes(d.name));
  }
  if (docs.length === 0) throw new CliError('the docs cache is empty: fetch packages first (bun run pkg:fetch <pkg>)');
  const baseUrl = ctx.values['base-url'] as string | undefined;
  if (baseUrl !== undefined && !/^https?:\/\//.test(baseUrl)) throw new CliError(`--base-url must be an http(s) URL, got ${JSON.stringify(baseUrl)}`, 2);
  const name = ctx.values.name as string | undefined;
  if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/.test(name)) throw new CliError('--name: letters, digits, space, ".", "_" and "-" (at most 64)', 2);
  const r = await createDocset(docs, { outDir: resolve((ctx.values.out as string | undefined) ?? 'docsets'), ...(name ? { name } : {}), ...(baseUrl ? { baseUrl } : {}) });
  ctx.out(ctx.json ? JSON.stringify(r, null, 2) : [
    `docset ${r.docset}: ${r.packages} packages, ${r.entries} index entries (version ${r.version})`,
    `archive ${r.archive}`,
    `feed    ${r.feed} (subscribe to it in Dash or Zeal)`,
  ].join('\n'));
}

const sync: Area = {
  upload: {
    summary: 'copy the local store to R2/S3: changed objects only, tarballs before manifests, resumable; never the master key or vault',
    usage: '[--dry-run] [--concurrency <n>] [--from <dir>] [--include-auth-secret] [--config <file>]',
    args: [0, 0],
    options: { ...common, 'dry-run': { type: 'boolean' }, concurrency: { type: 'string' } },
    async run(ctx) {
      const concurrency = concurrencyOf(ctx);
      const { syncUpload, fileJournal } = await import('@factorywager/sync');
      const w = await wire(ctx);
      const bar = progressBar();
      const dryRun = ctx.values['dry-run'] === true;
      try {
        const report = await syncUpload({
          source: w.source, target: w.targets, journal: fileJournal(w.journalPath), concurrency, dryRun,
          includeAuthSecret: ctx.values['include-auth-secret'] === true,
          onProgress: (p) => bar.update({ label: p.phase, done: p.done, total: p.total, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal }),
        });
        bar.done();
        ctx.out(ctx.json ? JSON.stringify({ ...report, target: w.where }, null, 2) : [
          ...(dryRun ? report.sent.map((k) => `  would send ${k}`) : []),
          `${dryRun ? '(dry run) ' : ''}${report.sent.length} ${dryRun ? 'to send' : 'sent'} (${formatBytes(report.bytesSent)}), ${report.unchanged} unchanged, ${report.objects} objects → ${w.where}`,
          ...report.conflicts.map((c) => `  conflict ${c.key}: ${c.reason}`),
          ...report.refused.map((k) => `  refused ${k}: not an encrypted secrets format`),
          ...report.heldBack.map((k) => `  held back ${k}: a tarball of its package did not arrive`),
        ].join('\n'));
        const problems = report.conflicts.length + report.refused.length + report.heldBack.length;
        if (problems > 0) throw new CliError(`sync left ${problems} object(s) behind (${report.conflicts.length} conflicts, ${report.refused.length} refused, ${report.heldBack.length} held back)`);
      } finally {
        bar.done();
        await w.close();
      }
    },
  },
  status: {
    summary: 'what differs between the local store and R2/S3, both ways: missing, changed, extra',
    usage: '[--from <dir>] [--config <file>] [--json]',
    args: [0, 0],
    options: { ...common },
    async run(ctx) {
      const { syncStatus } = await import('@factorywager/sync');
      const w = await wire(ctx);
      try {
        const s = await syncStatus({ source: w.source, target: w.targets, includeAuthSecret: ctx.values['include-auth-secret'] === true });
        ctx.out(ctx.json ? JSON.stringify({ ...s, target: w.where }, null, 2) : [
          ...s.missing.map((k) => `  missing ${k}`),
          ...s.changed.map((k) => `  changed ${k}`),
          ...s.extra.map((k) => `  extra   ${k}`),
          `${s.counts.missing} missing, ${s.counts.changed} changed, ${s.counts.extra} extra, ${s.counts.same} same (local ${w.from} → ${w.where})`,
        ].join('\n'));
      } finally {
        await w.close();
      }
    },
  },
  docset: {
    summary: 'create: a Dash/Zeal docset (+ .tgz and feed XML) from the docs cache (pkg:fetch), all or the named packages',
    usage: 'create [pkg...] [--out <dir>] [--name <name>] [--base-url <url>]',
    args: [1, 1000],
    options: { out: { type: 'string' }, name: { type: 'string' }, 'base-url': { type: 'string' } },
    run: docset,
  },
};

export default sync;
