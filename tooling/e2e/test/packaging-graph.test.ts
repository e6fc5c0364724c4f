// Must-show 3: each library installs into a fresh project from its packed tarball and works there
// through `import` on Bun and Node 20, through `require` on Node, with types resolving under tsc;
// publint passes on both. Builds once, packs once, installs once.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binOf as bin, buildAndPack, ok, realNode } from '../src/packaging.ts';
import { repoRoot as root } from '../src/registry-process.ts';

const PACKAGES = ['graph-render', 'semver-graph'] as const;
const node = realNode();

let tmp = '';
let app = '';

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

const PACKUMENT = `{ name: 'demo', 'dist-tags': { latest: '1.1.0' }, versions: { '1.0.0': {}, '1.0.1': { deprecated: 'bad' }, '1.1.0': {}, '2.0.0-rc.0': {} } }`;

const ESM = `
import { VersionManager, buildVersionGraph, parseVersion, recommendVersion, sortVersions, compareVersions } from '@factorywager/semver-graph';
import { renderAscii, renderMermaid, toD3Json, renderHistoryAscii } from '@factorywager/graph-render';
const graph = buildVersionGraph(${PACKUMENT});
let code = null;
try { parseVersion('1.2'); } catch (err) { code = err.code; }
console.log(JSON.stringify({
  parse: parseVersion('1.2.3-rc.1').prerelease,
  compare: compareVersions('1.2.3', '1.2.4'),
  next: recommendVersion('1.2.3', 'major').next,
  sorted: sortVersions(['1.10.0', '1.2.0', '1.2.0-rc.1']),
  manager: new VersionManager().recommend('1.0.0', 'minor').next,
  statuses: graph.nodes.map((n) => n.id + ':' + n.status),
  ascii: renderAscii(graph).split('\\n')[0],
  mermaid: renderMermaid(graph).includes('subgraph history["Version History"]'),
  d3: toD3Json(graph).nodes.length,
  history: renderHistoryAscii('k', [{ version: 1, action: 'create' }]).split('\\n').length,
  code,
}));
`;

const CJS = ESM.replace(
  /^import \{ (.+) \} from '(.+)';$/gm,
  (_m, names: string, from: string) => `const { ${names} } = require('${from}');`,
);

const TYPES = `
import { buildVersionGraph, recommendVersion, type VersionGraph, type BumpType, SemverGraphError } from '@factorywager/semver-graph';
import { renderAscii, type RenderableGraph, type D3Graph, toD3Json } from '@factorywager/graph-render';
const bump: BumpType = 'minor';
const graph: VersionGraph = buildVersionGraph({ name: 'x', versions: { '1.0.0': {} } }, { limit: 1 });
const renderable: RenderableGraph = graph;
const d3: D3Graph = toD3Json(renderable);
const next: string = recommendVersion('1.0.0', bump).next;
const err: SemverGraphError['code'] = 'INVALID_VERSION';
// @ts-expect-error limit is a number
buildVersionGraph({ name: 'x' }, { limit: '1' });
export const used = [renderAscii(graph), d3, next, err];
`;

const EXPECTED = {
  parse: ['rc', 1],
  compare: -1,
  next: '2.0.0',
  sorted: ['1.2.0-rc.1', '1.2.0', '1.10.0'],
  manager: '1.1.0',
  statuses: ['2.0.0-rc.0:archived', '1.1.0:current', '1.0.1:deprecated', '1.0.0:rollback'],
  ascii: '📦 demo  current 1.1.0 · newest 2.0.0-rc.0 · 4 versions',
  mermaid: true,
  d3: 4,
  history: 3,
  code: 'INVALID_VERSION',
};

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fw-packaging-'));
  const tarballs = join(tmp, 'tarballs');
  mkdirSync(tarballs);
  await buildAndPack(PACKAGES, tarballs);
  const files = readdirSync(tarballs).sort(); // graph-render first
  expect(files).toEqual(['factorywager-graph-render-0.1.0.tgz', 'factorywager-semver-graph-0.1.0.tgz']);

  app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fw-packaging-check', version: '0.0.0', private: true }));
  ok('bun', ['add', ...files.map((f) => join(tarballs, f))], app);
  writeFileSync(join(app, 'check.mjs'), ESM);
  writeFileSync(join(app, 'check.cjs'), CJS);
  writeFileSync(join(app, 'check.mts'), TYPES);
  writeFileSync(join(app, 'check.cts'), TYPES.replace('export const used =', 'const used =').concat('\nexport = used;\n'));
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['check.mts', 'check.cts'] }),
  );
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the packed libraries in a fresh project', () => {
  it('installed from the tarballs, with semver from the registry and nothing else for graph-render', () => {
    const pkg = JSON.parse(ok('cat', ['package.json'], app)) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@factorywager/graph-render', '@factorywager/semver-graph']);
    expect(pkg.dependencies['@factorywager/semver-graph']).toMatch(/\.tgz$/);
    expect(readdirSync(join(app, 'node_modules')).sort()).toEqual(expect.arrayContaining(['@factorywager', 'semver']));
  });

  it('import works on Bun', () => {
    expect(JSON.parse(ok('bun', ['check.mjs'], app))).toEqual(EXPECTED);
  });

  it('import works on Node 20', () => {
    expect(ok(node, ['-p', 'typeof Bun + " " + process.version'], app)).toMatch(/^undefined v20\./);
    expect(JSON.parse(ok(node, ['check.mjs'], app))).toEqual(EXPECTED);
  });

  it('require works on Node', () => {
    expect(CJS).not.toContain('import ');
    expect(JSON.parse(ok(node, ['check.cjs'], app))).toEqual(EXPECTED);
  });

  it('types resolve under tsc --noEmit (ESM and CJS, nodenext)', () => {
    const r = run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], app);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it.each(PACKAGES)('publint passes on %s', (pkg) => {
    const out = ok(bin('publint'), ['--strict'], join(root, 'packages', pkg));
    expect(out).toContain('All good!');
  });
});
