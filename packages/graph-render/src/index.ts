export { renderAscii, type AsciiOptions } from './ascii.ts';
export { renderMermaid, escapeText as escapeMermaidText, type MermaidOptions } from './mermaid.ts';
export { toD3Json, type D3Graph, type D3Link, type D3Node } from './d3.ts';
export { renderHistoryAscii, type HistoryOptions } from './history.ts';
export { renderSvg, SVG_STATUS_COLORS, type SvgOptions } from './svg.ts';
export type { HistoryEntry, RenderableGraph, RenderableLink, RenderableNode, RenderableStatus } from './types.ts';
