import { oneLine, painter, printable, shortDate, type Paint } from './_text.ts';
import type { RenderableGraph, RenderableNode } from './types.ts';

/** Options of {@link renderAscii}. */
export interface AsciiOptions {
  /** ANSI colour (default false). */
  color?: boolean;
  /** Show the newest N versions and fold the rest into "... N older versions". */
  limit?: number;
  /** Show deprecation messages under deprecated versions (default true). */
  messages?: boolean;
}

const BADGES: Record<string, string> = {
  current: '[Current]',
  rollback: '[Rollback Ready]',
  deprecated: '[Deprecated]',
  archived: '[Archived]',
};

/**
 * The terminal tree of a version graph: a package header, then one entry per version in the order
 * given (newest first) with its status badge, dist-tags, date and publisher, drawn with box-drawing
 * characters. A `limit` (or a graph whose `total` exceeds its nodes) folds the rest into one line.
 *
 * @example
 * ```ts
 * console.log(renderAscii(graph, { limit: 3, color: process.stdout.isTTY }));
 * // 📦 lodash  current 4.17.21 · 114 versions
 * // ├── 4.17.21  [Current]  ‹latest›  2021-02-20 by bnjmnt4n
 * // ├── 4.17.20  [Rollback Ready]  2020-08-13 by bnjmnt4n
 * // ├── 4.17.19  [Archived]  2020-07-08 by mathias
 * // └── ... 111 older versions
 * ```
 */
export function renderAscii(graph: RenderableGraph, options: AsciiOptions = {}): string {
  const paint = painter(options.color);
  const total = Math.max(graph.total ?? 0, graph.nodes.length);
  const limit = options.limit !== undefined && options.limit >= 0 ? Math.min(options.limit, graph.nodes.length) : graph.nodes.length;
  const shown = graph.nodes.slice(0, limit);
  const folded = total - shown.length;
  const lines = [header(graph, total, paint)];
  const showMessages = options.messages !== false;
  shown.forEach((node, i) => {
    const last = i === shown.length - 1 && folded === 0;
    lines.push(`${last ? '└── ' : '├── '}${entry(node, paint)}`);
    if (showMessages && node.deprecated) {
      lines.push(`${last ? '    ' : '│   '}   ${paint('yellow', `⚠ ${oneLine(node.deprecated, 100)}`)}`);
    }
  });
  if (folded > 0) lines.push(`└── ${paint('dim', `... ${folded} older version${folded === 1 ? '' : 's'}`)}`);
  if (total === 0) lines.push(`└── ${paint('dim', '(no versions)')}`);
  return `${lines.join('\n')}\n`;
}

function header(graph: RenderableGraph, total: number, paint: Paint): string {
  const facts = [
    graph.current ? `current ${printable(graph.current)}` : 'no latest tag',
    graph.latest && graph.latest !== graph.current ? `newest ${printable(graph.latest)}` : '',
    `${total} version${total === 1 ? '' : 's'}`,
  ].filter(Boolean);
  return `${paint('bold', `📦 ${printable(graph.name)}`)}  ${paint('dim', facts.join(' · '))}`;
}

function entry(node: RenderableNode, paint: Paint): string {
  const badge = BADGES[node.status] ?? `[${printable(node.status)}]`;
  const styled =
    node.status === 'current' ? paint('green', paint('bold', badge))
    : node.status === 'rollback' ? paint('cyan', badge)
    : node.status === 'deprecated' ? paint('red', badge)
    : paint('gray', badge);
  const id = node.status === 'current' ? paint('bold', printable(node.id)) : printable(node.id);
  const tags = (node.tags ?? []).map((t) => paint('magenta', `‹${printable(t)}›`)).join(' ');
  const when = shortDate(node.publishedAt);
  const who = node.publisher ? `by ${printable(node.publisher)}` : '';
  return [id, styled, tags, paint('dim', [when, who].filter(Boolean).join(' '))].filter(Boolean).join('  ');
}
