import { describe, expect, it } from 'vitest';
import { buildVersionGraph } from '@factorywager/semver-graph';
import { toD3Json } from '../src/index.ts';
import { loadFixture } from '../../semver-graph/test/_fixtures.ts';
import { SMALL } from './_graphs.ts';

describe('toD3Json', () => {
  it('gives name, current, latest, nodes with every field, links by id', () => {
    const d3 = toD3Json(SMALL);
    expect(d3).toMatchObject({ name: 'demo', current: '2.1.0', latest: '3.0.0-beta.0', total: 6 });
    expect(toD3Json({ ...SMALL, rollback: '2.0.0', distTags: { latest: '2.1.0' } })).toMatchObject({ rollback: '2.0.0', distTags: { latest: '2.1.0' } });
    expect(d3.nodes[1]).toEqual({
      id: '2.1.0', status: 'current', tags: ['latest'], publishedAt: '2024-04-01T12:00:00.000Z', publisher: 'alice',
      deprecated: null, line: '2.x', prerelease: false, index: 1,
    });
    expect(d3.links).toEqual(SMALL.links);
    expect(JSON.parse(JSON.stringify(d3))).toEqual(d3);
  });

  it('fills missing fields and drops links to absent nodes', () => {
    const d3 = toD3Json({ name: 'x', nodes: [{ id: '1.0.0-rc.1', status: 'archived' }], links: [{ source: '0.9.0', target: '1.0.0-rc.1', type: 'minor' }] });
    expect(d3).toEqual({
      name: 'x', current: null, latest: null, rollback: null, distTags: {}, total: 1, links: [],
      nodes: [{ id: '1.0.0-rc.1', status: 'archived', tags: [], publishedAt: null, publisher: null, deprecated: null, line: null, prerelease: true, index: 0 }],
    });
  });

  it('keeps a real graph whole', () => {
    const graph = buildVersionGraph(loadFixture('vue'));
    const d3 = toD3Json(graph);
    expect(d3.nodes.map((n) => n.id)).toEqual(graph.nodes.map((n) => n.id));
    expect(d3.links).toEqual(graph.links);
  });
});
