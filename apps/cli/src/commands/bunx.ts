import type { BunXIntegration, CacheEntry } from '@factorywager/bunx';
import { CliError, type Area, type Context } from '../kit.ts';
import { keychainLookup } from './_bunx-keychain.ts';

/** The runner, loaded when a verb runs (so `fw bunx --help` loads none of it). */
async function open(ctx: Context): Promise<BunXIntegration> {
  const { BunXIntegration } = await import('@factorywager/bunx');
  return new BunXIntegration({
    env: ctx.env,
    credentials: keychainLookup(ctx.env, ctx.values),
    onWarning: (m) => ctx.err(`fw: warning: ${m}`),
  });
}

/** Set by bunx-run.cts when its warm lookup missed, so the full runner does not look again. */
export const WARM_MISSED = 'FW_BUNX_WARM_MISSED';

/**
 * The cache-hit path (as `bun run bunx:run` takes it): true when the bin ran, in this process or by
 * replacing it; false on a miss (the full runner then resolves, downloads and reports).
 */
async function runWarm(ctx: Context, req: { spec: string; args: string[]; bin?: string; runtime: 'bun' | 'node'; offline: boolean }): Promise<boolean> {
  const { execWarm, warmLookup } = await import('@factorywager/bunx/warm');
  const hit = await warmLookup({ ...req, env: ctx.env, credentials: keychainLookup(ctx.env, ctx.values) });
  if (!hit.hit) return false;
  await execWarm(hit);
  return true;
}

/** 1536 -> '1.5 KiB'. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function formatEntries(entries: CacheEntry[]): string {
  if (entries.length === 0) return 'the runner cache is empty';
  const rows = entries.map((e) => [e.name, e.version, e.registry, formatBytes(e.size), e.lastUsed.toISOString().replace(/\.\d+Z$/, 'Z')]);
  const head = ['NAME', 'VERSION', 'REGISTRY', 'SIZE', 'LAST USE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

const runOptions = {
  offline: { type: 'boolean' },
  bin: { type: 'string' },
  node: { type: 'boolean' },
  bun: { type: 'boolean' },
  'allow-scripts': { type: 'boolean' },
} as const;

const bunx: Area = {
  run: {
    summary: "run a package's bin from the registry (cached; exact versions never revalidate, ranges after VERSION_CACHE_TTL, dist-tags every run)",
    usage: '[--offline] [--bin <name>] [--node] [--allow-scripts] <pkg>[@version|range|tag] [args...]',
    options: runOptions,
    passThrough: true,
    args: [1, Infinity],
    async run(ctx) {
      if (ctx.values.node && ctx.values.bun) throw new CliError('--node and --bun exclude each other', 2);
      const [spec, ...args] = ctx.positionals as [string, ...string[]];
      const runtime = ctx.values.node ? 'node' : 'bun';
      if (ctx.env[WARM_MISSED] === '1') delete ctx.env[WARM_MISSED]; // bunx-run.cts looked already
      else if (await runWarm(ctx, { spec, args, bin: ctx.values.bin as string | undefined, runtime, offline: ctx.values.offline === true })) {
        // The bin ran in this process (or replaced it): its exit code is process.exitCode, which
        // it may still set later; handing back what it is now keeps bin.ts from overwriting it.
        return typeof process.exitCode === 'number' ? process.exitCode : 0;
      }
      return (await open(ctx)).execute({
        package: spec,
        args,
        bin: ctx.values.bin as string | undefined,
        offline: ctx.values.offline === true,
        allowScripts: ctx.values['allow-scripts'] === true,
        runtime,
      });
    },
  },

  resolve: {
    summary: 'the version a spec resolves to now, and from which registry',
    usage: '<pkg> [range] [--offline]',
    options: { offline: { type: 'boolean' } },
    args: [1, 2],
    async run(ctx) {
      const [pkg, range] = ctx.positionals as [string, string | undefined];
      const res = await (await open(ctx)).resolve(pkg, range, { offline: ctx.values.offline === true });
      ctx.out(ctx.json ? JSON.stringify({ name: res.name, version: res.version, registry: res.registry, source: res.source }, null, 2) : res.version);
    },
  },

  cache: {
    summary: 'the cached packages: name, version, registry, size, last use',
    usage: '[--json]',
    args: [0, 0],
    async run(ctx) {
      const entries = await (await open(ctx)).listCache();
      ctx.out(ctx.json ? JSON.stringify(entries.map((e) => ({ ...e, lastUsed: e.lastUsed.toISOString() })), null, 2) : formatEntries(entries));
    },
  },

  clean: {
    summary: 'remove cached packages unused for [days] days (default 30); prints the bytes freed',
    usage: '[days]',
    args: [0, 1],
    async run(ctx) {
      const text = ctx.positionals[0] ?? '30';
      if (!/^\d+(\.\d+)?$/.test(text)) throw new CliError(`days must be a non-negative number, got ${JSON.stringify(text)}`, 2);
      const { removed, bytesFreed } = await (await open(ctx)).cleanCache(Number(text));
      if (ctx.json) {
        ctx.out(JSON.stringify({ removed: removed.map((e) => ({ name: e.name, version: e.version, registry: e.registry, size: e.size })), bytesFreed }, null, 2));
        return;
      }
      const list = removed.map((e) => `  ${e.name}@${e.version} (${e.registry})`).join('\n');
      ctx.out(`${list ? `${list}\n` : ''}removed ${removed.length} entr${removed.length === 1 ? 'y' : 'ies'}, freed ${bytesFreed} bytes (${formatBytes(bytesFreed)})`);
    },
  },
};

export default bunx;
