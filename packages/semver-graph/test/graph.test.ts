import { describe, expect, it } from 'vitest';
import { buildVersionGraph, compareVersions, validateGraphOptions, type Packument, type VersionGraph } from '../src/index.ts';
import { REAL, loadFixture } from './_fixtures.ts';

/** A packument from `version: 'YYYY-MM-DD'` pairs (in publish order) plus extras. */
function packument(times: Record<string, string>, extra: Partial<Packument> & { deprecated?: Record<string, string> } = {}): Packument {
  const { deprecated = {}, ...rest } = extra;
  return {
    name: 'demo',
    'dist-tags': { latest: Object.keys(times).at(-1)! },
    time: Object.fromEntries(Object.entries(times).map(([v, d]) => [v, `${d}T12:00:00.000Z`])),
    versions: Object.fromEntries(
      Object.keys(times).map((v) => [v, { version: v, _npmUser: { name: 'alice' }, ...(deprecated[v] ? { deprecated: deprecated[v] } : {}) }]),
    ),
    ...rest,
  };
}

const DEMO = packument(
  {
    '1.0.0': '2024-01-01', '1.0.1': '2024-01-05', '1.1.0': '2024-02-01',
    '2.0.0-rc.0': '2024-02-10', '2.0.0-rc.1': '2024-02-20', '2.0.0': '2024-03-01',
    '2.0.1': '2024-03-05', '1.1.1': '2024-03-10', '2.1.0': '2024-04-01', '2.1.1': '2024-04-02',
    '3.0.0-beta.0': '2024-05-01',
  },
  {
    'dist-tags': { latest: '2.1.0', next: '3.0.0-beta.0', legacy: '1.1.1' },
    deprecated: { '2.0.1': 'broken build, use 2.1.0' },
  },
);

const status = (g: VersionGraph) => Object.fromEntries(g.nodes.map((n) => [n.id, n.status]));
const edges = (g: VersionGraph) => g.links.map((l) => `${l.source} -${l.type}-> ${l.target}`).sort();

describe('buildVersionGraph', () => {
  const g = buildVersionGraph(DEMO);

  it('lists every version newest first by precedence, with current and latest', () => {
    expect(g.nodes.map((n) => n.id)).toEqual([
      '3.0.0-beta.0', '2.1.1', '2.1.0', '2.0.1', '2.0.0', '2.0.0-rc.1', '2.0.0-rc.0', '1.1.1', '1.1.0', '1.0.1', '1.0.0',
    ]);
    expect(g).toMatchObject({ name: 'demo', current: '2.1.0', latest: '3.0.0-beta.0', rollback: '2.0.0', total: 11 });
  });

  it('gives each version its status', () => {
    expect(status(g)).toEqual({
      '3.0.0-beta.0': 'rollback', // carries the tag "next"
      '2.1.1': 'archived', // above current: not a rollback target
      '2.1.0': 'current',
      '2.0.1': 'deprecated', // the newest below current, but deprecated: skipped
      '2.0.0': 'rollback', // what a rollback picks
      '2.0.0-rc.1': 'archived',
      '2.0.0-rc.0': 'archived',
      '1.1.1': 'rollback', // tagged "legacy"
      '1.1.0': 'archived',
      '1.0.1': 'archived',
      '1.0.0': 'archived',
    });
  });

  it('fills tags, dates, publisher, deprecation and lines', () => {
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    expect(byId.get('2.1.0')).toEqual({
      id: '2.1.0', status: 'current', tags: ['latest'], publishedAt: '2024-04-01T12:00:00.000Z',
      publisher: 'alice', deprecated: null, line: '2.x', prerelease: false,
    });
    expect(byId.get('2.0.1')?.deprecated).toBe('broken build, use 2.1.0');
    expect(byId.get('2.0.0-rc.1')).toMatchObject({ line: '2.0.0-pre', prerelease: true });
    expect(byId.get('3.0.0-beta.0')).toMatchObject({ line: '3.0.0-pre', tags: ['next'] });
  });

  it('links each version to the next on its lane; a 1.x patch after 2.0.0 stays on the 1.x lane', () => {
    expect(edges(g)).toEqual([
      '1.0.0 -patch-> 1.0.1',
      '1.0.1 -minor-> 1.1.0',
      '1.1.0 -patch-> 1.1.1', // published after 2.0.1, yet on its own lane
      '1.1.1 -major-> 2.0.0', // the 2.x lane starts from the top of 1.x
      '2.0.0 -patch-> 2.0.1',
      '2.0.0-rc.0 -prerelease-> 2.0.0-rc.1',
      '2.0.0-rc.1 -prerelease-> 2.0.0', // prereleases join the release they lead to
      '2.0.1 -minor-> 2.1.0',
      '2.1.0 -patch-> 2.1.1',
    ].sort());
  });

  it('filters by range (prereleases included), since and limit; total counts before the limit', () => {
    expect(buildVersionGraph(DEMO, { range: '^2.0.0-0' }).nodes.map((n) => n.id)).toEqual([
      '2.1.1', '2.1.0', '2.0.1', '2.0.0', '2.0.0-rc.1', '2.0.0-rc.0',
    ]);
    expect(buildVersionGraph(DEMO, { since: '2024-03-06' }).nodes.map((n) => n.id)).toEqual(['3.0.0-beta.0', '2.1.1', '2.1.0', '1.1.1']);
    const limited = buildVersionGraph(DEMO, { limit: 3 });
    expect(limited.nodes.map((n) => n.id)).toEqual(['3.0.0-beta.0', '2.1.1', '2.1.0']);
    expect(limited).toMatchObject({ total: 11, rollback: '2.0.0' });
    expect(edges(limited)).toEqual(['2.1.0 -patch-> 2.1.1']);
    expect(buildVersionGraph(DEMO, { since: new Date('2030-01-01') }).nodes).toEqual([]);
  });

  it('rejects bad options with codes', () => {
    expect(() => buildVersionGraph(DEMO, { range: '>>1' })).toThrow(expect.objectContaining({ code: 'INVALID_RANGE', input: '>>1' }));
    expect(() => buildVersionGraph(DEMO, { limit: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => buildVersionGraph(DEMO, { limit: 1.5 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => buildVersionGraph(DEMO, { since: 'yesterday-ish' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => buildVersionGraph({} as Packument)).toThrow(expect.objectContaining({ code: 'INVALID_PACKUMENT' }));
  });

  it('copes with no versions, no latest tag, a deprecated current, and legacy version strings', () => {
    expect(buildVersionGraph({ name: 'empty' })).toMatchObject({ current: null, latest: null, rollback: null, nodes: [], links: [], total: 0 });
    const untagged = buildVersionGraph({ ...DEMO, 'dist-tags': {} });
    expect(untagged.current).toBeNull();
    expect(untagged.nodes.filter((n) => n.status === 'current')).toEqual([]);
    const all = packument({ '1.0.0': '2020-01-01', '1.0.1': '2020-02-01' }, { deprecated: { '1.0.0': 'old', '1.0.1': 'gone' } });
    expect(status(buildVersionGraph(all))).toEqual({ '1.0.1': 'current', '1.0.0': 'deprecated' });
    const legacy = packument({ '1.0.0rc1': '2010-01-01', '1.0.0': '2010-02-01', 'not-a-version': '2010-03-01' });
    const lg = buildVersionGraph({ ...legacy, 'dist-tags': { latest: '1.0.0' } });
    expect(lg.nodes.map((n) => n.id)).toEqual(['1.0.0', '1.0.0rc1']);
    expect(edges(lg)).toEqual(['1.0.0rc1 -prerelease-> 1.0.0']);
  });

  it('joins prereleases to their release when the release carries build metadata or a leading v', () => {
    const built = buildVersionGraph(packument({ '1.0.0': '2024-01-01', '2.0.0-rc.1': '2024-02-01', '2.0.0+build.7': '2024-03-01' }));
    expect(edges(built)).toEqual(['1.0.0 -major-> 2.0.0+build.7', '2.0.0-rc.1 -prerelease-> 2.0.0+build.7']);
    const loose = buildVersionGraph(packument({ '1.0.0-beta.1': '2024-01-01', 'v1.0.0': '2024-02-01' }));
    expect(edges(loose)).toEqual(['1.0.0-beta.1 -prerelease-> v1.0.0']);
  });
});

describe('buildVersionGraph on real packuments', () => {
  it.each(REAL)('%s: every version, consistent statuses, lanes and links', (name) => {
    const p = loadFixture(name);
    const g = buildVersionGraph(p);
    const versions = Object.keys(p.versions ?? {});
    expect(g.nodes).toHaveLength(versions.length);
    expect(g.total).toBe(versions.length);
    expect(g.current).toBe(p['dist-tags']!.latest);

    // Newest first.
    const strict = g.nodes.map((n) => n.id).filter((v) => /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(v));
    for (let i = 1; i < strict.length; i++) expect(compareVersions(strict[i - 1]!, strict[i]!)).toBeGreaterThanOrEqual(0);

    // Exactly one current; the rollback target is the newest non-deprecated stable below current.
    expect(g.nodes.filter((n) => n.status === 'current').map((n) => n.id)).toEqual([g.current]);
    const currentIndex = g.nodes.findIndex((n) => n.id === g.current);
    const expected = g.nodes.slice(currentIndex + 1).find((n) => !n.prerelease && n.deprecated === null)?.id ?? null;
    expect(g.rollback).toBe(expected);
    if (expected) expect(g.nodes.find((n) => n.id === expected)!.status).toBe('rollback');

    // Deprecations come from the packument.
    const deprecated = versions.filter((v) => p.versions![v]!.deprecated);
    expect(g.nodes.filter((n) => n.deprecated !== null).length).toBe(deprecated.length);
    for (const n of g.nodes) if (n.status === 'deprecated') expect(n.deprecated).toBeTruthy();

    // Links join known nodes; on a lane every version but the first has exactly one predecessor there.
    const ids = new Set(g.nodes.map((n) => n.id));
    const lineOf = new Map(g.nodes.map((n) => [n.id, n.line]));
    const incomingOnLane = new Map<string, number>();
    for (const l of g.links) {
      expect(ids.has(l.source) && ids.has(l.target)).toBe(true);
      if (lineOf.get(l.source) === lineOf.get(l.target)) incomingOnLane.set(l.target, (incomingOnLane.get(l.target) ?? 0) + 1);
    }
    const lanes = new Map<string, string[]>();
    for (const n of [...g.nodes].reverse()) lanes.set(n.line, [...(lanes.get(n.line) ?? []), n.id]);
    for (const lane of lanes.values()) {
      expect(incomingOnLane.get(lane[0]!) ?? 0).toBe(0);
      for (const id of lane.slice(1)) expect(incomingOnLane.get(id)).toBe(1);
    }
  });

  it('shows parallel major lines, prereleases and deprecations where the real packages have them', () => {
    const react = buildVersionGraph(loadFixture('react'));
    expect(react.nodes.length).toBeGreaterThan(2_500);
    expect(new Set(react.nodes.filter((n) => !n.prerelease).map((n) => n.line)).size).toBeGreaterThanOrEqual(5);
    expect(react.links.filter((l) => l.type === 'prerelease').length).toBeGreaterThan(2_000);

    const ts = buildVersionGraph(loadFixture('typescript'));
    expect(ts.nodes.length).toBeGreaterThan(3_000);

    const coreJs = buildVersionGraph(loadFixture('core-js'));
    expect(coreJs.nodes.filter((n) => n.status === 'deprecated').length).toBeGreaterThan(100);
    expect(coreJs.nodes.find((n) => n.id === '2.6.12')).toMatchObject({ status: 'deprecated', line: '2.x' });

    const request = buildVersionGraph(loadFixture('request'));
    expect(request.nodes.find((n) => n.id === request.current)).toMatchObject({ status: 'current', deprecated: expect.stringContaining('deprecated') });
    expect(request.rollback).toBeNull(); // every older version is deprecated too

    const express = buildVersionGraph(loadFixture('express'), { range: '4.x || 5.x' });
    expect(new Set(express.nodes.map((n) => n.line))).toEqual(new Set(['4.0.0-pre', '4.x', '5.0.0-pre', '5.x']));
  });
});

describe('validateGraphOptions', () => {
  it('parses good options and names the bad value', () => {
    expect(validateGraphOptions({ range: '>=2 <3', limit: 5, since: '2024-01-31' })).toEqual({ range: '>=2 <3', limit: 5, since: Date.parse('2024-01-31') });
    expect(validateGraphOptions({ range: '', since: '' })).toEqual({});
    expect(() => validateGraphOptions({ range: '>=garbage' })).toThrow(expect.objectContaining({ code: 'INVALID_RANGE', message: 'invalid semver range ">=garbage"' }));
    expect(() => validateGraphOptions({ since: 'someday' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => validateGraphOptions({ limit: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});
