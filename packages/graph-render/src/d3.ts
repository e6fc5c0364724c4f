import type { RenderableGraph, RenderableStatus } from './types.ts';

/** A node of {@link D3Graph}. */
export interface D3Node {
  id: string;
  status: RenderableStatus;
  tags: string[];
  publishedAt: string | null;
  publisher: string | null;
  deprecated: string | null;
  line: string | null;
  prerelease: boolean;
  /** Position newest first, for a layout's y axis. */
  index: number;
}

/** A link of {@link D3Graph}: ids, as d3-force's `forceLink().id(d => d.id)` expects. */
export interface D3Link {
  source: string;
  target: string;
  type: string;
}

/** The D3 JSON form (also what the registry stores as `versions/{name}/graph.json`). */
export interface D3Graph {
  name: string;
  current: string | null;
  latest: string | null;
  /** The Rollback Ready version, or null. */
  rollback: string | null;
  distTags: Record<string, string>;
  total: number;
  nodes: D3Node[];
  links: D3Link[];
}

/**
 * The graph as plain JSON for D3 (force or DAG layouts): every field filled, links only between nodes
 * that are present, safe to `JSON.stringify`.
 *
 * @example
 * ```ts
 * const data = toD3Json(graph);
 * d3.forceSimulation(data.nodes).force('link', d3.forceLink(data.links).id((d) => d.id));
 * ```
 */
export function toD3Json(graph: RenderableGraph): D3Graph {
  const present = new Set(graph.nodes.map((n) => n.id));
  return {
    name: graph.name,
    current: graph.current ?? null,
    latest: graph.latest ?? null,
    rollback: graph.rollback ?? null,
    distTags: { ...graph.distTags },
    total: Math.max(graph.total ?? 0, graph.nodes.length),
    nodes: graph.nodes.map((n, index) => ({
      id: n.id,
      status: n.status,
      tags: [...(n.tags ?? [])],
      publishedAt: n.publishedAt ?? null,
      publisher: n.publisher ?? null,
      deprecated: n.deprecated ?? null,
      line: n.line ?? null,
      prerelease: n.prerelease ?? n.id.replace(/\+.*$/, '').includes('-'),
      index,
    })),
    links: graph.links
      .filter((l) => present.has(l.source) && present.has(l.target))
      .map((l) => ({ source: l.source, target: l.target, type: l.type })),
  };
}
