import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { renderAscii, renderMermaid, renderSvg, toD3Json, type D3Graph } from '@factorywager/graph-render';
import {
  BUMP_TYPES,
  buildVersionGraph,
  compareVersions,
  isSemverGraphError,
  parseVersion,
  recommendVersion,
  validateGraphOptions,
  type GraphOptions,
  type Packument,
  type VersionGraph,
} from '@factorywager/semver-graph';
import { CliError, type Area, type Context } from '../kit.ts';
import { formatComparison, formatParsed, formatRecommendation } from './_version-format.ts';
import { versionManager } from './_version-registry.ts';
import { rollbackCommands } from './_version-rollback.ts';

const FORMATS = ['ascii', 'mermaid', 'json', 'svg'] as const;
type Format = (typeof FORMATS)[number];

function print(ctx: Context, data: unknown, human: () => string): void {
  ctx.out(ctx.json ? JSON.stringify(data, null, 2) : human());
}

const version: Area = {
  parse: {
    summary: 'parse a version into major, minor, patch, prerelease and build',
    usage: '<version>',
    args: [1, 1],
    run(ctx) {
      const parsed = parseVersion(ctx.positionals[0]!);
      print(ctx, parsed, () => formatParsed(parsed, ctx.color));
    },
  },

  compare: {
    summary: 'compare two versions by semver precedence (-1, 0 or 1)',
    usage: '<a> <b>',
    args: [2, 2],
    run(ctx) {
      const [a, b] = ctx.positionals as [string, string];
      const result = compareVersions(a, b);
      print(ctx, result, () => formatComparison(a, b, result));
    },
  },

  recommend: {
    summary: `the next version for a bump (${BUMP_TYPES.join(', ')}) and every candidate`,
    usage: '<current> <bump> [--preid <id>]',
    args: [2, 2],
    options: { preid: { type: 'string' } },
    run(ctx) {
      const [current, bump] = ctx.positionals as [string, string];
      const preid = ctx.values.preid as string | undefined;
      const recommendation = recommendVersion(current, bump, preid);
      print(ctx, recommendation, () => formatRecommendation(recommendation, ctx.color));
    },
  },

  graph: {
    summary: "the version graph of a package as an ASCII tree, Mermaid, D3 JSON or SVG (rendered by the registry's graph route, SVG from its JSON; built from the packument where it has none, or from --file)",
    usage: '<pkg> [ascii|mermaid|json|svg] [--file packument.json[.gz]] [--range r] [--limit n] [--since date] [--registry url]',
    args: [1, 2],
    options: {
      file: { type: 'string' },
      range: { type: 'string' },
      limit: { type: 'string' },
      since: { type: 'string' },
      registry: { type: 'string' },
    },
    async run(ctx) {
      const [pkg, formatArg] = ctx.positionals as [string, string | undefined];
      const format = (formatArg ?? (ctx.json ? 'json' : 'ascii')) as Format;
      if (!FORMATS.includes(format)) throw new CliError(`unknown format "${formatArg}" (try: ${FORMATS.join(', ')})`, 2);
      const options = graphOptions(ctx);
      const file = ctx.values.file as string | undefined;
      let graph: VersionGraph;
      if (file) {
        graph = buildVersionGraph(await readPackument(file, pkg), options);
      } else {
        const manager = versionManager(ctx);
        const wanted = ctx.json || format === 'svg' ? 'json' : format;
        const served = await manager.fetchGraph(pkg, { ...options, format: wanted, color: wanted === 'ascii' && ctx.color });
        if (served !== null && format === 'svg' && !ctx.json) {
          // The route has no SVG: its D3 JSON is a renderable graph, drawn here.
          ctx.out(renderSvg(JSON.parse(served) as D3Graph).trimEnd());
          return;
        }
        if (served !== null) {
          ctx.out(wanted === 'json' ? JSON.stringify(JSON.parse(served), null, 2) : served);
          return;
        }
        graph = await manager.buildVersionGraph(pkg, options);
      }
      if (format === 'json' || ctx.json) ctx.out(JSON.stringify(toD3Json(graph), null, 2));
      else if (format === 'svg') ctx.out(renderSvg(graph).trimEnd());
      else if (format === 'mermaid') ctx.out(renderMermaid(graph));
      else ctx.out(renderAscii(graph, { color: ctx.color }));
    },
  },

  ...rollbackCommands,
};

export default version;

function graphOptions(ctx: Context): GraphOptions {
  const options: GraphOptions = {};
  const { range, limit, since } = ctx.values as Record<string, string | undefined>;
  if (range !== undefined) options.range = range;
  if (since !== undefined) options.since = since;
  if (limit !== undefined) {
    if (!/^[1-9]\d*$/.test(limit)) throw new CliError(`--limit must be a positive whole number, not "${limit}"`, 2);
    options.limit = Number(limit);
  }
  // a bad range or date is a usage error here, before any request (the registry would refuse it too)
  try {
    validateGraphOptions(options);
  } catch (err) {
    if (isSemverGraphError(err)) throw new CliError(err.message.replace(' for since:', ' for --since:').replace(/^invalid semver range/, '--range: invalid semver range'), 2);
    throw err;
  }
  return options;
}

async function readPackument(file: string, pkg: string): Promise<Packument> {
  let packument: Packument;
  try {
    const bytes = await readFile(file);
    const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    packument = JSON.parse(text) as Packument;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e instanceof SyntaxError ? 'not valid JSON' : e.message;
    throw new CliError(`cannot read packument ${file}: ${why}`);
  }
  if (!packument || typeof packument !== 'object' || typeof packument.name !== 'string') {
    throw new CliError(`${file} is not a packument (no "name")`);
  }
  if (packument.name !== pkg) throw new CliError(`${file} is the packument of ${packument.name}, not ${pkg}`);
  return packument;
}
