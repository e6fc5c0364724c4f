import { describe, expect, expectTypeOf, it } from 'vitest';
import { buildVersionGraph, type VersionGraph } from '@factorywager/semver-graph';
import { renderAscii, type RenderableGraph } from '../src/index.ts';
import pkg from '../package.json' with { type: 'json' };

describe('graph-render and semver-graph', () => {
  it("accepts semver-graph's VersionGraph structurally", () => {
    expectTypeOf<VersionGraph>().toExtend<RenderableGraph>();
    const graph: RenderableGraph = buildVersionGraph({ name: 'a', 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': {} } });
    expect(renderAscii(graph)).toContain('1.0.0  [Current]');
  });

  it('has no runtime dependencies', () => {
    expect(Object.keys((pkg as { dependencies?: object }).dependencies ?? {})).toEqual([]);
  });
});
