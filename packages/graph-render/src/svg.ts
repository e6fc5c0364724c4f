import { oneLine, shortDate } from './_text.ts';
import type { RenderableGraph, RenderableNode } from './types.ts';

/** Options of {@link renderSvg}. */
export interface SvgOptions {
  /** A link for each version node (e.g. its page); none by default. */
  href?: (version: string) => string;
  /** Draw the legend of statuses (default true). */
  legend?: boolean;
  /** Accessible title of the picture (default: `Version graph of <name>`). */
  title?: string;
}

/** Fill and stroke per status; unknown statuses draw as archived. */
export const SVG_STATUS_COLORS: Readonly<Record<string, { fill: string; stroke: string }>> = {
  current: { fill: '#16a34a', stroke: '#14532d' },
  rollback: { fill: '#2563eb', stroke: '#1e3a8a' },
  deprecated: { fill: '#dc2626', stroke: '#7f1d1d' },
  archived: { fill: '#9ca3af', stroke: '#4b5563' },
};

const COL = 92;
const LANE = 74;
const LEFT = 96;
const TOP = 40;
const BADGES_SHOWN = 2;

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (text: string) => text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
const status = (s: string) => (Object.hasOwn(SVG_STATUS_COLORS, s) ? s : 'archived');

/** Columns newest first by publish time (versions without one last, in the given order). */
function columns(nodes: readonly RenderableNode[]): RenderableNode[] {
  const time = (n: RenderableNode) => {
    const t = n.publishedAt ? Date.parse(n.publishedAt) : Number.NaN;
    return Number.isNaN(t) ? -Infinity : t;
  };
  return nodes.map((n, i) => ({ n, i, t: time(n) })).sort((a, b) => b.t - a.t || a.i - b.i).map((x) => x.n);
}

/**
 * The version graph as a standalone SVG document: one horizontal lane per release line (newest line
 * on top), one column per version (newest publish on the left), nodes coloured by status, dist-tags as
 * badges above their version, typed links between versions (major links dashed), a `<title>` per
 * node for tooltips. Colours are presentation attributes and text uses `currentColor`, so the picture
 * works as a file and inline under a strict Content-Security-Policy, where a stylesheet may override
 * it (classes `fw-node`, `fw-status-<status>`, `fw-link`, `fw-link-<type>`, `fw-badge`, `fw-lane`).
 * Pure: no I/O, the same graph gives the same bytes.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * const svg = renderSvg(buildVersionGraph(packument), { href: (v) => `/package/lodash/v/${v}` });
 * await writeFile('lodash.svg', svg);
 * ```
 */
export function renderSvg(graph: RenderableGraph, options: SvgOptions = {}): string {
  const cols = columns(graph.nodes);
  const lanes: string[] = [];
  for (const n of graph.nodes) {
    const line = n.line ?? 'versions';
    if (!lanes.includes(line)) lanes.push(line);
  }
  const laneOf = new Map(lanes.map((l, i) => [l, i]));
  const pos = new Map<string, { x: number; y: number }>();
  cols.forEach((n, i) => pos.set(n.id, { x: LEFT + COL / 2 + i * COL, y: TOP + LANE / 2 + 12 + laneOf.get(n.line ?? 'versions')! * LANE }));
  const width = LEFT + Math.max(cols.length, 1) * COL + 16;
  const height = TOP + Math.max(lanes.length, 1) * LANE + 24;
  const title = options.title ?? `Version graph of ${graph.name}`;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="fw-graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="fw-graph-title" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<title id="fw-graph-title">${esc(oneLine(title, 200))}</title>`);
  if (options.legend !== false) out.push(legend());
  lanes.forEach((line, i) => {
    const y = TOP + 12 + i * LANE;
    out.push(`<g class="fw-lane"><rect x="0" y="${y}" width="${width}" height="${LANE}" fill="${i % 2 ? '#94a3b8' : 'none'}" fill-opacity="0.08"/>`
      + `<text x="8" y="${y + LANE / 2 + 16}" fill="currentColor" font-weight="600">${esc(oneLine(line, 14))}</text></g>`);
  });
  out.push('<g class="fw-links" fill="none">');
  for (const link of graph.links) {
    const a = pos.get(link.source);
    const b = pos.get(link.target);
    if (!a || !b) continue;
    const type = /^[a-z]+$/.test(link.type) ? link.type : 'other';
    const dash = type === 'major' ? ' stroke-dasharray="6 4"' : type === 'prerelease' ? ' stroke-dasharray="2 3"' : '';
    const d = a.y === b.y ? `M${a.x} ${a.y}H${b.x}` : `M${a.x} ${a.y}C${(a.x + b.x) / 2} ${a.y} ${(a.x + b.x) / 2} ${b.y} ${b.x} ${b.y}`;
    out.push(`<path class="fw-link fw-link-${type}" d="${d}" stroke="#64748b" stroke-width="1.5"${dash}/>`);
  }
  out.push('</g>');
  out.push('<g class="fw-nodes">');
  for (const n of cols) out.push(node(n, pos.get(n.id)!, options.href));
  out.push('</g></svg>');
  return `${out.join('\n')}\n`;
}

function node(n: RenderableNode, p: { x: number; y: number }, href: SvgOptions['href']): string {
  const s = status(n.status);
  const { fill, stroke } = SVG_STATUS_COLORS[s]!;
  const r = s === 'current' ? 9 : 7;
  const facts = [n.id, s, n.publishedAt ? `published ${shortDate(n.publishedAt)}` : '', n.publisher ? `by ${n.publisher}` : '', n.tags?.length ? `tags: ${n.tags.join(', ')}` : '', n.deprecated ? `deprecated: ${n.deprecated}` : '']
    .filter(Boolean).join(' · ');
  const parts = [
    `<title>${esc(oneLine(facts, 300))}</title>`,
    `<circle r="${r}" fill="${fill}" stroke="${stroke}" stroke-width="${s === 'current' ? 3 : 1.5}"/>`,
    `<text y="${r + 15}" text-anchor="middle" fill="currentColor">${esc(oneLine(n.id, 14))}</text>`,
  ];
  const tags = n.tags ?? [];
  const shown = tags.length > BADGES_SHOWN + 1 ? [...tags.slice(0, BADGES_SHOWN), `+${tags.length - BADGES_SHOWN}`] : tags;
  shown.forEach((tag, i) => {
    const label = oneLine(tag, 12);
    const w = Math.max(label.length * 7 + 12, 28);
    const y = -r - 20 - i * 19;
    parts.push(`<g class="fw-badge" transform="translate(0 ${y})"><rect x="${-w / 2}" y="0" width="${w}" height="16" rx="8" fill="#fef3c7" stroke="#b45309"/>`
      + `<text y="12" text-anchor="middle" font-size="11" fill="#78350f">${esc(label)}</text></g>`);
  });
  const g = `<g class="fw-node fw-status-${s}" data-version="${esc(n.id)}" transform="translate(${p.x} ${p.y})">${parts.join('')}</g>`;
  return href ? `<a href="${esc(href(n.id))}" class="fw-node-link">${g}</a>` : g;
}

function legend(): string {
  const items = Object.entries(SVG_STATUS_COLORS).map(([name, c], i) =>
    `<g transform="translate(${LEFT + i * 110} 16)"><circle r="6" fill="${c.fill}" stroke="${c.stroke}" stroke-width="1.5"/><text x="12" y="4" fill="currentColor">${name}</text></g>`);
  return `<g class="fw-legend">${items.join('')}</g>`;
}
