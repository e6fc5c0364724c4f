import type { Area, Context } from '../kit.ts';
import { CliError } from '../kit.ts';
import { age, openDocsCache } from './_docs-context.ts';
import { openClient } from './_registry-client.ts';

// Names, descriptions and symbols come from packages anyone may publish: control characters are
// dropped before printing, so a package cannot drive the terminal.
// eslint-disable-next-line no-control-regex
const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
const dim = (ctx: Context, s: string) => (ctx.color ? `\x1b[2m${clean(s)}\x1b[22m` : clean(s));
const bold = (ctx: Context, s: string) => (ctx.color ? `\x1b[1m${clean(s)}\x1b[22m` : clean(s));

function positiveInt(ctx: Context, name: string, fallback: number, max: number): number {
  const raw = (ctx.values[name] as string | undefined) ?? String(fallback);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) throw new CliError(`--${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`, 2);
  return n;
}

const pkg: Area = {
  fetch: {
    summary: 'fetch README, metadata and exported symbols (.d.ts, TypeScript compiler API) into the local docs cache',
    usage: '<pkg>[@version|@range|@tag]...',
    args: [1, 100],
    async run(ctx) {
      const { fetchPackageDocs } = await import('@factorywager/docs');
      const client = await openClient(ctx);
      const cache = await openDocsCache(ctx);
      const fetched = [];
      for (const spec of ctx.positionals) {
        const docs = await fetchPackageDocs({ registry: client.registry, token: client.token }, spec);
        await cache.put(docs);
        fetched.push(docs);
        if (!ctx.json) {
          const kinds = Object.entries(docs.symbols.reduce<Record<string, number>>((m, s) => ({ ...m, [s.kind]: (m[s.kind] ?? 0) + 1 }), {}))
            .sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${n} ${k}`).join(', ');
          ctx.out(`+ ${bold(ctx, docs.name)}@${docs.version}: ${docs.symbols.length} symbols${kinds ? ` (${kinds})` : ''}, README ${docs.readme ? `${(docs.readme.length / 1024).toFixed(1)} kB` : 'none'}${docs.types ? dim(ctx, `  types ${docs.types}`) : ''}`);
        }
      }
      if (ctx.json) ctx.out(JSON.stringify(fetched.map(({ readme, ...d }) => ({ ...d, readmeLength: readme.length })), null, 2));
    },
  },
  search: {
    summary: 'ranked search over cached docs and symbols (MiniSearch), merged with the registry\'s /-/v1/search',
    usage: '<query> [--limit <n>] [--offline]',
    args: [1, 1],
    options: { limit: { type: 'string' }, offline: { type: 'boolean' } },
    async run(ctx) {
      const limit = positiveInt(ctx, 'limit', 20, 250);
      const { searchDocs } = await import('@factorywager/docs');
      const cache = await openDocsCache(ctx);
      const docs = await cache.list();
      const access = ctx.values.offline === true ? null : await openClient(ctx).then((c) => ({ registry: c.registry, token: c.token }));
      const { hits, remoteError } = await searchDocs(docs, ctx.positionals[0]!, access, limit);
      if (remoteError) ctx.err(`fw: warning: registry search failed, showing cached docs only: ${remoteError}`);
      if (ctx.json) return ctx.out(JSON.stringify({ hits, ...(remoteError ? { remoteError } : {}) }, null, 2));
      if (hits.length === 0) throw new CliError(`no match for ${JSON.stringify(ctx.positionals[0])} in ${docs.length} cached package(s)${access ? ' or the registry' : ''}`);
      ctx.out(hits.map((h) => {
        const what = h.kind === 'symbol' ? `${clean(h.name)} › ${bold(ctx, h.symbol!)} ${dim(ctx, h.symbolKind!)}` : `${bold(ctx, h.name)}@${clean(h.version ?? '')}${h.description ? `  ${dim(ctx, h.description)}` : ''}`;
        return `${h.score.toFixed(2)}  ${what}${h.source === 'registry' ? dim(ctx, '  (registry; pkg:fetch it for docs)') : ''}`;
      }).join('\n'));
    },
  },
  local: {
    summary: 'the cached docs: version, symbol count, age',
    usage: '',
    args: [0, 0],
    async run(ctx) {
      const docs = await (await openDocsCache(ctx)).list();
      const rows = docs.map((d) => ({ name: d.name, version: d.version, symbols: d.symbols.length, fetchedAt: d.fetchedAt, age: age(d.fetchedAt), registry: d.registry }));
      if (ctx.json) return ctx.out(JSON.stringify(rows, null, 2));
      if (rows.length === 0) return ctx.out('no docs cached yet (bun run pkg:fetch <pkg>)');
      const w = Math.max(...rows.map((r) => `${r.name}@${r.version}`.length));
      ctx.out(rows.map((r) => `${clean(`${r.name}@${r.version}`).padEnd(w)}  ${String(r.symbols).padStart(4)} symbols  ${dim(ctx, r.age)}`).join('\n'));
    },
  },
};

export default pkg;
