// Version graph of a package with 3,000+ versions (the real typescript packument, 3,478 versions):
// build, then render as ASCII (target: build + ASCII under 50 ms on Bun), Mermaid and D3 JSON.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { renderAscii, renderMermaid, toD3Json } from '../packages/graph-render/src/index.ts';
import { buildVersionGraph, type Packument } from '../packages/semver-graph/src/index.ts';
import { measure, ms } from './_measure.ts';

const TARGET_MS = 50;
const fixture = new URL('../packages/semver-graph/test/fixtures/typescript.json.gz', import.meta.url);
const packument = JSON.parse(gunzipSync(readFileSync(fixture)).toString('utf8')) as Packument;
const count = Object.keys(packument.versions ?? {}).length;
const graph = buildVersionGraph(packument);

const cases: Array<[string, () => unknown]> = [
  ['build graph', () => buildVersionGraph(packument)],
  ['render ascii', () => renderAscii(graph)],
  ['build + render ascii', () => renderAscii(buildVersionGraph(packument))],
  ['render mermaid', () => renderMermaid(graph)],
  ['build + render mermaid', () => renderMermaid(buildVersionGraph(packument))],
  ['to d3 json (+ stringify)', () => JSON.stringify(toD3Json(graph))],
  ['build + d3 json', () => JSON.stringify(toD3Json(buildVersionGraph(packument)))],
  ['build, limit 50 + ascii', () => renderAscii(buildVersionGraph(packument, { limit: 50 }))],
];

console.log(`typescript packument: ${count} versions, ${graph.links.length} links, ${new Set(graph.nodes.map((n) => n.line)).size} lanes (${typeof Bun === 'undefined' ? 'node' : `bun ${Bun.version}`})`);
console.log(`${'case'.padEnd(28)} ${'median'.padStart(11)} ${'p95'.padStart(11)}`);
const results = new Map<string, number>();
for (const [name, fn] of cases) {
  const r = measure(fn, { warmup: 5, runs: 30 });
  results.set(name, r.median);
  console.log(`${name.padEnd(28)} ${ms(r.median)} ${ms(r.p95)}`);
}
const combined = results.get('build + render ascii')!;
const pass = count >= 3000 && combined < TARGET_MS;
console.log(`\ntarget: build + ASCII render of ${count} versions < ${TARGET_MS} ms: ${combined.toFixed(2)} ms -> ${pass ? 'PASS' : 'FAIL'}`);
process.exitCode = pass ? 0 : 1;
