import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Area, Context } from '../kit.ts';
import { CliError } from '../kit.ts';
import { configPath } from './_config-path.ts';
import { openClient, packagePath, type RegistryClient } from './_registry-client.ts';
import { pack, publishDocument } from './_registry-pack.ts';
import { userCommand } from './_registry-user.ts';

function print(ctx: Context, data: unknown, human: () => string): void {
  ctx.out(ctx.json ? JSON.stringify(data, null, 2) : human());
}

const bold = (ctx: Context, s: string) => (ctx.color ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (ctx: Context, s: string) => (ctx.color ? `\x1b[2m${s}\x1b[22m` : s);

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

async function start(ctx: Context): Promise<void> {
  const { loadRegistryConfig, NPMRegistryServer, stopOnSignal } = await import('@factorywager/registry-server/node');
  const env = { ...ctx.env };
  const port = ctx.values.port as string | undefined;
  if (port !== undefined) {
    if (!/^\d+$/.test(port) || Number(port) > 65535) throw new CliError(`--port must be a port number (0-65535), got ${JSON.stringify(port)}`, 2);
    env.REGISTRY_PORT = port;
  }
  const { defaultPublicUrl, proxySummary, withoutProxy } = await import('@factorywager/registry-server');
  const loaded = await loadRegistryConfig({ path: configPath(ctx), env });
  const config = ctx.values['no-proxy'] === true ? withoutProxy(loaded) : loaded;
  const host = ctx.values.host as string | undefined;
  if (host) {
    const derived = config.publicUrl === defaultPublicUrl(config.listen.host, config.listen.port);
    config.listen = { ...config.listen, host };
    if (derived) config.publicUrl = defaultPublicUrl(host, config.listen.port);
  }
  const quiet = ctx.values.quiet === true;
  const server = await new NPMRegistryServer(config, quiet ? { log: false } : {}).start();
  const where = config.storage.driver === 'fs' ? `fs ${config.storage.root}` : config.storage.driver === 's3' ? `s3 bucket ${config.storage.bucket}` : 'memory';
  ctx.out([
    `${bold(ctx, 'FactoryWager Registry')} listening on ${server.url}/`,
    `  storage: ${where}${config.source ? `\n  config:  ${config.source}` : ''}`,
    ...proxySummary(config).map((line) => `  ${line}`),
    `  log in:  npm adduser --registry ${server.url}/`,
    `  stop:    Ctrl-C`,
  ].join('\n'));
  const signal = await stopOnSignal(server);
  ctx.err(`registry stopped (${signal})`);
}

/** npm 11's guards for an implicit `latest`: no prerelease, and no version below the current latest. */
async function checkLatest(client: RegistryClient, name: string, version: string): Promise<void> {
  const { compareVersions, isValidVersion, parseVersion } = await import('@factorywager/semver-graph');
  if (!isValidVersion(version)) return; // the registry answers with its own message
  if (parseVersion(version).prerelease.length > 0) {
    throw new CliError(`${name}@${version} is a prerelease: publish it under a tag (--tag next) so latest stays on a release, as npm requires`, 2);
  }
  const doc = await client.request<Packument>('GET', packagePath(name)).catch(() => null);
  const latest = doc?.['dist-tags']?.latest;
  if (latest && isValidVersion(latest) && compareVersions(latest, version) > 0) {
    throw new CliError(`${name}@${version} is lower than latest (${latest}): give --tag to publish it without moving latest back, as npm requires`, 2);
  }
}

async function publish(ctx: Context): Promise<void> {
  const dir = resolve(ctx.positionals[0] ?? '.');
  const tag = (ctx.values.tag as string | undefined) ?? 'latest';
  const dryRun = ctx.values['dry-run'] === true;
  const client = await openClient(ctx);
  if (!client.token && !dryRun) throw new CliError(`no token for ${client.registry}: set FW_TOKEN, store one with "fw secrets set registry:${new URL(client.registry).host} -", or log in (npm adduser --registry ${client.registry}/)`);
  const packed = await pack(dir);
  if (ctx.values.tag === undefined) await checkLatest(client, packed.name, packed.version);
  const readme = await readFile(resolve(dir, 'README.md'), 'utf8').catch(() => undefined);
  const doc = publishDocument(packed, client.registry, tag, readme);
  if (!dryRun) await client.request('PUT', packagePath(packed.name), doc);
  const data = { name: packed.name, version: packed.version, tag, files: packed.files, size: packed.tarball.length, integrity: packed.integrity, dryRun };
  print(ctx, data, () => [
    ...packed.files.map((f) => dim(ctx, `  ${f}`)),
    `${data.dryRun ? '(dry run) ' : ''}+ ${packed.name}@${packed.version} (${tag}) ${formatBytes(packed.tarball.length)}, ${packed.files.length} files → ${client.registry}`,
  ].join('\n'));
}

interface Quarantine {
  source: 'upstream' | 'local' | 'private';
  uplink?: string;
  minReleaseAge: number;
  excluded: boolean;
  quarantined: Array<{ version: string; publishedAt: string | null; maturesAt: string | null }>;
  movedTags: Record<string, { upstream: string; served: string | null }>;
}

/** The lines `registry info` adds for a proxied package: where it comes from and what is held back. */
function quarantineLines(ctx: Context, q: Quarantine | null): string[] {
  if (!q || q.source !== 'upstream') return [];
  const lines = [`source: uplink ${q.uplink}${q.excluded ? ' (exempt from minReleaseAge)' : ''}`];
  if (q.quarantined.length === 0) return lines;
  const age = q.minReleaseAge % 86_400 === 0 ? `${q.minReleaseAge / 86_400}d` : q.minReleaseAge % 3600 === 0 ? `${q.minReleaseAge / 3600}h` : `${q.minReleaseAge}s`;
  lines.push(`held back (younger than ${age}): ${q.quarantined.map((v) => `${v.version} (${v.maturesAt ? `installable from ${v.maturesAt}` : 'no publish time upstream'})`).join(', ')}`);
  for (const [tag, moved] of Object.entries(q.movedTags)) lines.push(dim(ctx, `  ${tag}: upstream ${moved.upstream}, served ${moved.served ?? '(none)'}`));
  return lines;
}

interface Packument { name: string; description?: string; 'dist-tags': Record<string, string>; versions: Record<string, { description?: string; deprecated?: string }>; time?: Record<string, string> }

const registry: Area = {
  start: {
    summary: 'start the registry (no config: fs store in ./.factorywager or FW_DATA_DIR, 127.0.0.1:4873, proxying the registry of your npm config)',
    usage: '[--port <n>] [--host <addr>] [--config <file>] [--no-proxy] [--quiet]',
    args: [0, 0],
    options: { port: { type: 'string' }, host: { type: 'string' }, config: { type: 'string' }, 'no-proxy': { type: 'boolean' }, quiet: { type: 'boolean' } },
    run: start,
  },
  publish: {
    summary: 'pack a folder (package.json files, .npmignore) and publish it to REGISTRY_URL',
    usage: '[dir] [--tag <tag>] [--dry-run]',
    args: [0, 1],
    options: { tag: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    run: publish,
  },
  info: {
    summary: 'show a package: dist-tags, versions, description, and what the release-age guard holds back of a proxied one',
    usage: '<pkg>',
    args: [1, 1],
    async run(ctx) {
      const client = await openClient(ctx);
      const name = ctx.positionals[0]!;
      const doc = await client.request<Packument>('GET', packagePath(name));
      const quarantine = await client.request<Quarantine>('GET', `/-/fw/quarantine${packagePath(name)}`).catch(() => null);
      const versions = Object.keys(doc.versions);
      const latest = doc['dist-tags'].latest;
      print(ctx, quarantine ? { ...doc, quarantine } : doc, () => [
        `${bold(ctx, doc.name)}${latest ? `@${latest}` : ''}${doc.description ? ` — ${doc.description}` : ''}`,
        `dist-tags: ${Object.entries(doc['dist-tags']).map(([t, v]) => `${t}: ${v}`).join(', ') || '(none)'}`,
        `versions (${versions.length}): ${versions.join(', ')}`,
        ...(doc.time?.modified ? [`modified: ${doc.time.modified}`] : []),
        ...(latest && doc.versions[latest]?.deprecated ? [`deprecated: ${doc.versions[latest]!.deprecated}`] : []),
        ...quarantineLines(ctx, quarantine),
      ].join('\n'));
    },
  },
  search: {
    summary: 'search packages by name, description and keywords (then the uplinks\' results, marked "(upstream)")',
    usage: '<query> [--size <n>]',
    args: [1, 1],
    options: { size: { type: 'string' } },
    async run(ctx) {
      const size = Number((ctx.values.size as string | undefined) ?? 20);
      if (!Number.isInteger(size) || size < 1 || size > 250) throw new CliError('--size must be a whole number from 1 to 250', 2);
      const q = new URLSearchParams({ text: ctx.positionals[0]!, size: String(size) });
      const res = await (await openClient(ctx)).request<{ objects: Array<{ package: { name: string; version: string; description?: string }; origin?: string }>; total: number }>('GET', `/-/v1/search?${q}`);
      print(ctx, res, () => (res.objects.length === 0 ? 'no packages found'
        : res.objects.map(({ package: p, origin }) => `${p.name}@${p.version}${origin === 'upstream' ? ' (upstream)' : ''}${p.description ? `  ${dim(ctx, p.description)}` : ''}`).join('\n')));
    },
  },
  list: {
    summary: 'list the packages you may read',
    usage: '',
    args: [0, 0],
    async run(ctx) {
      const res = await (await openClient(ctx)).request<{ packages: Array<{ name: string; version: string; versions: number; description?: string }> }>('GET', '/-/fw/packages');
      print(ctx, res.packages, () => (res.packages.length === 0 ? 'no packages yet'
        : res.packages.map((p) => `${p.name}@${p.version}  ${dim(ctx, `${p.versions} version${p.versions === 1 ? '' : 's'}`)}`).join('\n')));
    },
  },
  stats: {
    summary: 'packages, versions, bytes stored and downloads',
    usage: '',
    args: [0, 0],
    async run(ctx) {
      const s = await (await openClient(ctx)).request<{ packages: number; versions: number; bytes: number; downloads: number }>('GET', '/-/fw/stats');
      print(ctx, s, () => `packages: ${s.packages}\nversions: ${s.versions}\nstored:   ${formatBytes(s.bytes)}\ndownloads: ${s.downloads}`);
    },
  },
  user: userCommand,
  setup: {
    summary: 'point npm, pnpm, yarn, bun or deno at REGISTRY_URL: registry or scope, token, release-age exemption',
    usage: '<npm|pnpm|yarn|bun|deno> [--scope @acme] [--user|--project] [--dry-run]',
    args: [1, 1],
    options: { scope: { type: 'string' }, user: { type: 'boolean' }, project: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
    run: async (ctx) => (await import('./_setup.ts')).setup(ctx),
  },
  config: {
    summary: 'init: write a commented registry.config.json5; load: print the resolved config, secrets redacted',
    usage: '<init|load> [--config <file>] [--force] [--upstream <url>]',
    args: [1, 1],
    options: { config: { type: 'string' }, force: { type: 'boolean' }, upstream: { type: 'string' } },
    async run(ctx) {
      const action = ctx.positionals[0];
      const path = resolve(configPath(ctx) ?? 'registry.config.json5');
      if (action === 'init') {
        const { configTemplate } = await import('@factorywager/registry-server');
        if (ctx.values.force !== true && existsSync(path)) throw new CliError(`${path} exists; use --force to overwrite it`);
        const { npmConfigRegistry } = await import('@factorywager/registry-server/node');
        const upstream = (ctx.values.upstream as string | undefined) ?? npmConfigRegistry({ env: ctx.env }).url;
        try {
          await writeFile(path, configTemplate({ upstream }), { flag: ctx.values.force === true ? 'w' : 'wx' });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${path} exists; use --force to overwrite it`);
          throw new CliError(`cannot write ${path}: ${(err as Error).message}`);
        }
        print(ctx, { path, upstream }, () => `wrote ${path} (uplink: ${upstream})`);
      } else if (action === 'load') {
        const [{ loadRegistryConfig }, { redactConfig }] = await Promise.all([import('@factorywager/registry-server/node'), import('@factorywager/registry-server')]);
        const config = await loadRegistryConfig({ path: configPath(ctx), env: ctx.env });
        ctx.out(JSON.stringify(redactConfig(config), null, 2));
      } else {
        throw new CliError(`usage: fw registry config <init|load> (got ${JSON.stringify(action)})`, 2);
      }
    },
  },
};

export default registry;
