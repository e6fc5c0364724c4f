import { renderAscii, renderMermaid, toD3Json } from '@factorywager/graph-render';
import { isSemverGraphError, type GraphOptions, type VersionGraph } from '@factorywager/semver-graph';
import { RegistryError } from '../errors.ts';
import { gzip } from '../_http.ts';
import type { Packument } from './packument.ts';
import { versionGraph } from './graph-file.ts';
import { fnv1aHex } from '../_crypto.ts';

/** One served form of a version graph. */
export interface GraphFormat {
  contentType: string;
  render(graph: VersionGraph, options: { color: boolean }): string;
}

/**
 * The forms `GET /-/fw/graph/:pkg?format=` serves: one entry per format.
 * @example
 * GRAPH_FORMATS.ascii.render(graph, { color: false }); // the ASCII tree
 */
export const GRAPH_FORMATS: Record<string, GraphFormat> = {
  json: { contentType: 'application/json', render: (g) => JSON.stringify(toD3Json(g)) },
  ascii: { contentType: 'text/plain; charset=utf-8', render: (g, o) => renderAscii(g, { color: o.color }) },
  mermaid: { contentType: 'text/plain; charset=utf-8', render: (g) => renderMermaid(g) },
};

/** What a graph request asks for, validated. */
export interface GraphQuery {
  format: string;
  options: GraphOptions;
  color: boolean;
}

/**
 * Reads and checks the query of a graph request: `format` (default json), `range`, `limit`,
 * `since`, `color` (ascii only). Bad values are BAD_REQUEST naming the parameter.
 * @example
 * graphQuery(new URL('http://x/-/fw/graph/p?format=ascii&limit=20').searchParams);
 */
export function graphQuery(params: URLSearchParams): GraphQuery {
  const format = params.get('format') ?? 'json';
  if (!Object.hasOwn(GRAPH_FORMATS, format)) {
    throw new RegistryError('BAD_REQUEST', `unknown format ${JSON.stringify(format.slice(0, 50))} (try: ${Object.keys(GRAPH_FORMATS).join(', ')})`);
  }
  const options: GraphOptions = {};
  const range = params.get('range');
  if (range) options.range = range.slice(0, 1000);
  const since = params.get('since');
  if (since) options.since = since.slice(0, 100);
  const limit = params.get('limit');
  if (limit !== null && limit !== '') {
    if (!/^[1-9]\d{0,6}$/.test(limit)) throw new RegistryError('BAD_REQUEST', `limit must be a positive whole number, not ${JSON.stringify(limit.slice(0, 50))}`);
    options.limit = Number(limit);
  }
  const color = format === 'ascii' && /^(1|true)$/.test(params.get('color') ?? '');
  return { format, options, color };
}

/** A rendered graph, ready to send. */
export interface RenderedGraph {
  body: Blob;
  etag: string;
  contentType: string;
  /** gzip of body, made on the first request that accepts gzip. */
  gz?: Blob;
}

const MAX_ENTRIES = 500;
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * Rendered graphs keyed by package, manifest etag and query, so a warm request does no graph work
 * (the manifest etag changes with every change, so an entry is never stale). Oldest entries go
 * first once over either bound.
 * @example
 * const cache = new GraphCache();
 * const query = graphQuery(url.searchParams);
 * const rendered = cache.lookup('pkg', etag, query) ?? cache.render('pkg', doc, etag, query);
 */
export class GraphCache {
  private readonly entries = new Map<string, RenderedGraph>();
  private bytes = 0;

  /** Adds the gzip form of a rendered graph (once) and accounts for its bytes. */
  async gzipped(rendered: RenderedGraph): Promise<Blob> {
    if (!rendered.gz) {
      rendered.gz = await gzip(rendered.body);
      this.bytes += rendered.gz.size;
    }
    return rendered.gz;
  }

  /** The cached form, or undefined when it has not been rendered for this manifest etag. */
  lookup(name: string, etag: string, query: GraphQuery): RenderedGraph | undefined {
    return this.entries.get(keyOf(name, etag, query).key);
  }

  /** Renders the graph of `doc` (the manifest at `etag`) and keeps it. */
  render(name: string, doc: Packument, etag: string, query: GraphQuery): RenderedGraph {
    const { key, tag, id } = keyOf(name, etag, query);
    const hit = this.entries.get(key);
    if (hit) return hit;
    let graph: VersionGraph;
    try {
      graph = versionGraph(doc, query.options);
    } catch (err) {
      if (isSemverGraphError(err)) throw new RegistryError('BAD_REQUEST', err.message, { cause: err });
      throw err;
    }
    const format = GRAPH_FORMATS[query.format]!;
    const rendered: RenderedGraph = {
      body: new Blob([format.render(graph, { color: query.color })]),
      etag: `W/"${tag}-g${fnv1aHex(id)}"`,
      contentType: format.contentType,
    };
    this.entries.set(key, rendered);
    this.bytes += rendered.body.size;
    while ((this.entries.size > MAX_ENTRIES || this.bytes > MAX_BYTES) && this.entries.size > 1) {
      const [oldest, value] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      this.bytes -= value.body.size + (value.gz?.size ?? 0);
    }
    return rendered;
  }
}

function keyOf(name: string, etag: string, query: GraphQuery) {
  const tag = etag.replace(/[^A-Za-z0-9._-]/g, '');
  const id = JSON.stringify([query.format, query.options.range ?? '', query.options.limit ?? 0, query.options.since ?? '', query.color]);
  return { key: `${name}\u0000${tag}\u0000${id}`, tag, id };
}
