import type { RenderableGraph } from './types.ts';

/** Options of {@link renderMermaid}. */
export interface MermaidOptions {
  /** `TD` (default) or `LR`. */
  direction?: 'TD' | 'LR';
  /** Add the package name as a front-matter title (default true). */
  title?: boolean;
}

const STYLES = [
  'classDef current fill:#dcfce7,stroke:#15803d,stroke-width:2px',
  'classDef rollback fill:#dbeafe,stroke:#1d4ed8',
  'classDef deprecated fill:#fee2e2,stroke:#b91c1c,stroke-dasharray:4 2',
  'classDef archived fill:#f3f4f6,stroke:#9ca3af,color:#4b5563',
  'classDef tag fill:#fef9c3,stroke:#a16207',
];

/**
 * The graph as a Mermaid flowchart: `graph TD`, a "Version History" subgraph with one node per
 * version and typed edges (`v4_17_20 -->|patch| v4_17_21`), a "Tags" subgraph whose dist-tags point
 * at their versions, and a class per status. Node ids are sanitised (`4.17.21` -> `v4_17_21`, made
 * unique) and labels escaped, so every valid version string, prerelease and build metadata included,
 * gives valid Mermaid.
 *
 * @example
 * ```ts
 * renderMermaid(graph);
 * // ---
 * // title: "lodash"
 * // ---
 * // graph TD
 * //   subgraph history["Version History"]
 * //     v4_17_21["4.17.21 (current)"]
 * //     v4_17_20["4.17.20"]
 * //     v4_17_20 -->|patch| v4_17_21
 * //   end
 * //   subgraph tags["Tags"]
 * //     tag_latest(["latest"])
 * //   end
 * //   tag_latest -.-> v4_17_21
 * //   ...
 * ```
 */
export function renderMermaid(graph: RenderableGraph, options: MermaidOptions = {}): string {
  const ids = idMaker('v');
  const nodeId = new Map<string, string>();
  for (const node of graph.nodes) nodeId.set(node.id, ids(node.id));

  const out: string[] = [];
  if (options.title !== false) out.push('---', `title: ${JSON.stringify(escapeText(graph.name))}`, '---');
  out.push(`graph ${options.direction ?? 'TD'}`);
  out.push('  subgraph history["Version History"]');
  for (const node of graph.nodes) {
    const marks = [node.status === 'current' ? 'current' : '', node.deprecated ? 'deprecated' : ''].filter(Boolean);
    const label = marks.length ? `${node.id} (${marks.join(', ')})` : node.id;
    out.push(`    ${nodeId.get(node.id)}["${escapeText(label)}"]`);
  }
  for (const link of graph.links) {
    const source = nodeId.get(link.source);
    const target = nodeId.get(link.target);
    if (source && target) out.push(`    ${source} -->|${escapeText(link.type)}| ${target}`);
  }
  out.push('  end');

  const tagIds = idMaker('tag_');
  const tagLines: string[] = [];
  const tagEdges: string[] = [];
  for (const node of graph.nodes) {
    for (const tag of node.tags ?? []) {
      const id = tagIds(tag);
      tagLines.push(`    ${id}(["${escapeText(tag)}"])`);
      tagEdges.push(`  ${id} -.-> ${nodeId.get(node.id)}`);
    }
  }
  if (tagLines.length) out.push('  subgraph tags["Tags"]', ...tagLines, '  end', ...tagEdges);

  out.push(...STYLES.map((s) => `  ${s}`));
  const byStatus = new Map<string, string[]>();
  for (const node of graph.nodes) {
    const cls = /^[A-Za-z][A-Za-z0-9_]*$/.test(node.status) ? node.status : 'archived';
    const members = byStatus.get(cls);
    if (members) members.push(nodeId.get(node.id)!);
    else byStatus.set(cls, [nodeId.get(node.id)!]);
  }
  for (const [cls, members] of byStatus) {
    for (let i = 0; i < members.length; i += 200) out.push(`  class ${members.slice(i, i + 200).join(',')} ${cls}`);
  }
  if (tagLines.length) out.push(`  class ${[...new Set(tagLines.map((l) => l.trim().split('(')[0]))].join(',')} tag`);
  return `${out.join('\n')}\n`;
}

/** A Mermaid-safe id maker: `prefix` + the text with every other character as `_`, unique. @internal */
function idMaker(prefix: string): (text: string) => string {
  const taken = new Map<string, string>();
  const used = new Set<string>();
  return (text) => {
    const known = taken.get(text);
    if (known) return known;
    const base = `${prefix}${text.replace(/[^A-Za-z0-9]/g, '_')}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    taken.set(text, id);
    return id;
  };
}

const SAFE = /^[A-Za-z0-9 .,:+\-_/@()]*$/;

/**
 * Text for a quoted Mermaid label or edge text: every character outside letters, digits and
 * ` .,:+-_/@()` becomes an entity code (`#34;`), so quotes, `#`, `;`, brackets and pipes cannot
 * end the label early.
 *
 * @example
 * ```ts
 * escapeMermaidText('say "hi"'); // 'say #34;hi#34;'
 * ```
 */
export function escapeText(text: string): string {
  if (SAFE.test(text)) return text;
  let out = '';
  for (const ch of text) {
    out += /[A-Za-z0-9 .,:+\-_/@()]/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  }
  return out;
}
