import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { buildVersionGraph } from '@factorywager/semver-graph';
import { renderSvg, SVG_STATUS_COLORS, type RenderableGraph } from '../src/index.ts';
import { loadFixture } from '../../semver-graph/test/_fixtures.ts';
import { SMALL } from './_graphs.ts';

type El = Record<string, unknown>;
const parse = (svg: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: false, isArray: (name) => ['g', 'a', 'path', 'text', 'rect'].includes(name) }).parse(svg).svg as El;

/** Every element anywhere under `el` whose class list contains `cls`. */
function byClass(el: unknown, cls: string, out: El[] = []): El[] {
  if (Array.isArray(el)) for (const e of el) byClass(e, cls, out);
  else if (el && typeof el === 'object') {
    const o = el as El;
    if (typeof o.class === 'string' && o.class.split(' ').includes(cls)) out.push(o);
    for (const [k, v] of Object.entries(o)) if (typeof v === 'object') byClass(v, cls, out), void k;
  }
  return out;
}

describe('renderSvg', () => {
  it('draws one node per version, coloured by status, with tag badges, lanes and typed links', () => {
    const svg = renderSvg(SMALL);
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = parse(svg);
    const nodes = byClass(doc, 'fw-node');
    expect(nodes.map((n) => n['data-version'])).toEqual(['3.0.0-beta.0', '2.1.0', '2.0.1', '2.0.0', '1.0.0', '1.1.0']);
    const current = nodes.find((n) => n['data-version'] === '2.1.0')!;
    expect(current.class).toBe('fw-node fw-status-current');
    expect((current.circle as El).fill).toBe(SVG_STATUS_COLORS.current!.fill);
    expect((nodes.find((n) => n['data-version'] === '2.0.1')!.circle as El).fill).toBe(SVG_STATUS_COLORS.deprecated!.fill);
    expect(byClass(current, 'fw-badge')).toHaveLength(1);
    expect(JSON.stringify(byClass(current, 'fw-badge'))).toContain('latest');
    expect(byClass(doc, 'fw-lane').map((l) => JSON.stringify(l))).toHaveLength(3);
    expect(byClass(doc, 'fw-link')).toHaveLength(SMALL.links.length);
    expect(byClass(doc, 'fw-link-major')).toHaveLength(1);
    // nodes on one lane share a y; lanes differ
    const y = (v: string) => /translate\(\S+ (\S+)\)/.exec(String(nodes.find((n) => n['data-version'] === v)!.transform))![1];
    expect(y('2.0.0')).toBe(y('2.1.0'));
    expect(y('1.0.0')).not.toBe(y('2.1.0'));
    expect(renderSvg(SMALL)).toBe(svg);
  });

  it('escapes every text, so hostile versions, tags and messages stay text', () => {
    const evil: RenderableGraph = {
      name: '<script>alert(1)</script>',
      nodes: [{ id: '1.0.0-"><script>x</script>', status: 'current" onload="alert(1)', tags: ['a&b', '"><img src=x onerror=alert(1)>'], deprecated: ']]><!--', line: '1.x' }],
      links: [{ source: 'a', target: 'b', type: 'x" onclick="y' }],
    };
    const svg = renderSvg(evil, { href: (v) => `/package/x/v/${v}` });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toMatch(/<(script|img)\b/);
    const keys = (el: unknown): string[] => (el && typeof el === 'object' ? Object.entries(el).flatMap(([k, v]) => [k, ...keys(v)]) : []);
    expect(keys(parse(svg)).filter((k) => /^on/i.test(k))).toEqual([]);
    const node = byClass(parse(svg), 'fw-node')[0]!;
    expect(node['data-version']).toBe('1.0.0-"><script>x</script>');
    expect(node.class).toBe('fw-node fw-status-archived');
  });

  it('links nodes when asked and draws a 3,000-version graph whole', () => {
    const versions: Record<string, { version: string }> = {};
    const time: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) {
      const v = `${Math.floor(i / 300)}.${Math.floor(i / 10) % 30}.${i % 10}`;
      versions[v] = { version: v };
      time[v] = new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString();
    }
    const graph = buildVersionGraph({ name: 'big', 'dist-tags': { latest: '9.29.9' }, versions, time });
    const svg = renderSvg(graph, { href: (v) => `/package/big/v/${v}` });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.match(/class="fw-node /g)).toHaveLength(3000);
    expect(svg.match(/<a href="\/package\/big\/v\//g)).toHaveLength(3000);
    expect(byClass(parse(svg), 'fw-lane')).toHaveLength(10);
  });

  it('draws a real packument', () => {
    const graph = buildVersionGraph(loadFixture('vue'));
    const svg = renderSvg(graph);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.match(/class="fw-node /g)).toHaveLength(graph.nodes.length);
  });
});
