import { describe, expect, it } from 'vitest';
import { buildVersionGraph, type Packument } from '@factorywager/semver-graph';
import { renderMermaid, type RenderableGraph } from '../src/index.ts';
import { loadFixture } from '../../semver-graph/test/_fixtures.ts';
import { SMALL } from './_graphs.ts';
import { mermaidParser } from './_mermaid.ts';

/** Valid semver strings chosen to break naive ids and labels. */
function trickyVersions(): string[] {
  const pre = ['alpha', 'beta.1', 'rc.0', 'x-y-z.--', '0a', 'A-B', 'end', 'subgraph', 'graph', 'class', 'click', 'style', 'o', 'x', 'default', '-', '--', '1.2.3', 'canary-20240101-abcdef'];
  const build = ['', '+build.5', '+sha.abc123', '+001', '+x-y', '+-.-'];
  const out: string[] = [];
  for (let i = 0; i < pre.length; i++) {
    for (let j = 0; j < build.length; j++) {
      out.push(`${i}.${j}.0-${pre[i]}${build[j]}`, `${i}.${j}.1${build[j]}`);
    }
  }
  out.push('0.0.0', '1.0.0-a.b', '1.0.0-a-b', '1.0.0-a_b'.replace('_', '.c.'), '10.20.30');
  return [...new Set(out)];
}

function packumentOf(versions: string[], tags: Record<string, string>): Packument {
  return {
    name: '@scope/tricky-name.js',
    'dist-tags': tags,
    versions: Object.fromEntries(versions.map((v, i) => [v, { version: v, ...(i % 7 === 0 ? { deprecated: 'use "2.0" <now> & #soon; [really]' } : {}) }])),
    time: Object.fromEntries(versions.map((v, i) => [v, new Date(Date.UTC(2020, 0, 1 + i)).toISOString()])),
  };
}

describe('renderMermaid', () => {
  it('writes graph TD, a Version History subgraph, typed edges, a Tags subgraph and status classes', () => {
    const out = renderMermaid(SMALL);
    expect(out.split('\n').slice(0, 5)).toEqual(['---', 'title: "demo"', '---', 'graph TD', '  subgraph history["Version History"]']);
    expect(out).toContain('    v2_1_0["2.1.0 (current)"]');
    expect(out).toContain('    v2_0_1["2.0.1 (deprecated)"]');
    expect(out).toContain('    v3_0_0_beta_0["3.0.0-beta.0"]');
    expect(out).toContain('    v2_0_0 -->|patch| v2_0_1');
    expect(out).toContain('    v1_1_0 -->|major| v2_0_0');
    expect(out).toContain('  subgraph tags["Tags"]\n    tag_next(["next"])\n    tag_latest(["latest"])\n  end');
    expect(out).toContain('  tag_latest -.-> v2_1_0');
    expect(out).toContain('  class v2_1_0 current');
    expect(out).toContain('  class v1_1_0,v1_0_0 archived');
  });

  it('gives distinct ids to versions that sanitise alike', () => {
    const g: RenderableGraph = { name: 'x', nodes: ['1.0.0-a.b', '1.0.0-a-b', '1.0.0-a.b+c'].map((id) => ({ id, status: 'archived' })), links: [] };
    const ids = [...renderMermaid(g).matchAll(/^ {4}(\w+)\[/gm)].map((m) => m[1]);
    expect(ids).toEqual(['v1_0_0_a_b', 'v1_0_0_a_b_2', 'v1_0_0_a_b_c']);
  });

  it("is valid Mermaid for every tricky version string, by Mermaid's own parser", async () => {
    const mermaid = await mermaidParser();
    const versions = trickyVersions();
    expect(versions.length).toBeGreaterThan(200);
    const tags = { latest: versions[3]!, next: versions[5]!, 'v2-beta': versions[8]!, end: versions[9]!, 'x"y': versions[10]!, 'a#b;c': versions[11]!, 'ünï<cøde>': versions[12]!, 'a b': versions[13]! };
    const graph = buildVersionGraph(packumentOf(versions, tags));
    expect(graph.links.length).toBeGreaterThan(100);
    const text = renderMermaid(graph);
    await expect(mermaid.parse(text)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
    // One graph per version too, so a failure names the version.
    for (const v of versions) {
      const one = renderMermaid(buildVersionGraph(packumentOf([v], { latest: v, 'x"y': v })), { direction: 'LR' });
      await expect(mermaid.parse(one), v).resolves.toBeTruthy();
    }
  });

  it('the parser does reject broken Mermaid (the check has teeth)', async () => {
    const mermaid = await mermaidParser();
    await expect(mermaid.parse('graph TD\n  v1.0.0-beta+x["1.0.0"] -->|patch| "\n')).rejects.toThrow();
    await expect(mermaid.parse('graph TD\n  subgraph history["Version History"]\n    a["x"]\n')).rejects.toThrow();
  });

  it.each(['express', 'core-js', 'vue', 'react'] as const)('is valid Mermaid for the real %s packument', async (name) => {
    const mermaid = await mermaidParser();
    const graph = buildVersionGraph(loadFixture(name), name === 'react' ? { limit: 600 } : {});
    await expect(mermaid.parse(renderMermaid(graph))).resolves.toBeTruthy();
  });
});
