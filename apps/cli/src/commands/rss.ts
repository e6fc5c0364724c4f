import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Area, Context } from '../kit.ts';
import { CliError } from '../kit.ts';
import { dataDir } from './_docs-context.ts';
import { openClient, registryUrl } from './_registry-client.ts';

const dim = (ctx: Context, s: string) => (ctx.color ? `\x1b[2m${s}\x1b[22m` : s);

async function openItems(ctx: Context) {
  const { FeedItemStore } = await import('@factorywager/feeds');
  return new FeedItemStore(join(dataDir(ctx), '.rss', 'items.json'));
}

/** The configured feeds (registry.config.json5 `feeds`), else this registry's /-/rss. */
async function configuredFeeds(ctx: Context): Promise<string[]> {
  const path = (ctx.values.config as string | undefined) ?? ctx.env.REGISTRY_CONFIG;
  if (path || existsSync(resolve('registry.config.json5'))) {
    const { loadRegistryConfig } = await import('@factorywager/registry-server/node');
    const config = await loadRegistryConfig({ ...(path ? { path } : {}), env: ctx.env });
    if (config.feeds.length > 0) return config.feeds;
  }
  return [`${registryUrl(ctx.env)}/-/rss`];
}

const rss: Area = {
  fetch: {
    summary: 'fetch feeds (default: registry.config.json5 feeds, else this registry\'s /-/rss) and keep their items, deduplicated by GUID',
    usage: '[url...] [--config <file>]',
    args: [0, 100],
    options: { config: { type: 'string' } },
    async run(ctx) {
      const urls = ctx.positionals.length > 0 ? ctx.positionals : await configuredFeeds(ctx);
      for (const u of urls) if (!URL.canParse(u) || !/^https?:$/.test(new URL(u).protocol)) throw new CliError(`not an http(s) feed URL: ${JSON.stringify(u.slice(0, 100))}`, 2);
      const { fetchFeeds } = await import('@factorywager/feeds');
      const client = await openClient(ctx);
      const token = client.token ? { origin: new URL(client.registry).origin, value: client.token } : null;
      const result = await fetchFeeds(urls, { token });
      const store = await openItems(ctx);
      const merged = await store.merge(result.items);
      for (const e of result.errors) ctx.err(`fw: ${e.message}`);
      if (ctx.json) ctx.out(JSON.stringify({ ...merged, feeds: result.feeds.map((f) => ({ ...f, url: f.url.split('?')[0] })), errors: result.errors }, null, 2));
      else {
        for (const f of result.feeds) ctx.out(`${f.items} item${f.items === 1 ? '' : 's'} from ${f.url.split('?')[0]}`);
        ctx.out(`${merged.added} new, ${merged.updated} updated, ${merged.total} kept`);
      }
      if (result.feeds.length === 0) throw new CliError(`no feed could be read (${result.errors.length} failed)`);
    },
  },
  list: {
    summary: 'the kept feed items, newest first',
    usage: '[--limit <n>]',
    args: [0, 0],
    options: { limit: { type: 'string' } },
    async run(ctx) {
      const raw = (ctx.values.limit as string | undefined) ?? '50';
      if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new CliError(`--limit must be a whole number above 0, got ${JSON.stringify(raw)}`, 2);
      const items = (await (await openItems(ctx)).list()).slice(0, Number(raw));
      if (ctx.json) return ctx.out(JSON.stringify(items, null, 2));
      // Titles come from feeds: control characters are dropped so a feed cannot drive the terminal.
      const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
      if (items.length === 0) return ctx.out('no feed items yet (bun run rss:fetch)');
      ctx.out(items.map((i) => `${(i.date ?? i.firstSeen).slice(0, 16).replace('T', ' ')}  ${clean(i.title)}  ${dim(ctx, clean(i.feed.title))}`).join('\n'));
    },
  },
  html: {
    summary: 'write the kept items as one self-contained HTML page (sanitized, no scripts)',
    usage: '[--out <file>] [--title <text>] [--limit <n>]',
    args: [0, 0],
    options: { out: { type: 'string' }, title: { type: 'string' }, limit: { type: 'string' } },
    async run(ctx) {
      const raw = (ctx.values.limit as string | undefined) ?? '200';
      if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new CliError(`--limit must be a whole number above 0, got ${JSON.stringify(raw)}`, 2);
      const { renderItemsHtml } = await import('@factorywager/feeds');
      const items = (await (await openItems(ctx)).list()).slice(0, Number(raw));
      const html = renderItemsHtml(items, { title: (ctx.values.title as string | undefined) ?? 'Releases' });
      const out = (ctx.values.out as string | undefined) ?? 'releases.html';
      if (out === '-') return ctx.out(html);
      const path = resolve(out);
      try {
        await writeFile(path, html);
      } catch (err) {
        throw new CliError(`cannot write ${path}: ${(err as Error).message}`);
      }
      ctx.out(ctx.json ? JSON.stringify({ path, items: items.length }) : `wrote ${path} (${items.length} item${items.length === 1 ? '' : 's'})`);
    },
  },
};

export default rss;
