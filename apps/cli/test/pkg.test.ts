// pkg:fetch, pkg:search, pkg:local and sync:docset:create end to end: packages published with the
// CLI to a registry process, docs fetched by the CLI as a process, the docset's index opened with
// SQLite (bun:sqlite, another SQLite than the writer's) and every path followed to its anchor.
import { spawn } from 'node:child_process';
import { Database } from 'bun:sqlite';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parseDocument } from 'htmlparser2';
import { parse as parsePlist } from 'plist';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, writePackage, type RegistryProcess } from '@factorywager/e2e';

const bin = resolve(import.meta.dirname, '../src/bin.ts');
const temps: string[] = [];
const temp = (tag: string) => {
  const d = mkdtempSync(join(tmpdir(), `fw-pkg-${tag}-`));
  temps.push(d);
  return d;
};

let registry: RegistryProcess;
let env: Record<string, string>;
let work: string;

function run(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const full: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env, ...extra };
  const child = spawn('bun', ['--conditions=source', bin, ...args], { cwd: work, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

const README = '# left-pad\n\nPads strings. <script>alert(1)</script> [click me](javascript:alert(2)) '
  + '<img src=x onerror="alert(3)"> [docs](https://example.com/docs)\n\n```js\npad("a", 3)\n```\n';

beforeAll(async () => {
  registry = await startRegistry();
  const add = await fetch(`${registry.url}/-/user/org.couchdb.user:alice`, { method: 'PUT', body: JSON.stringify({ name: 'alice', password: 'correct horse battery' }) });
  const { token } = (await add.json()) as { token: string };
  work = temp('work');
  env = { FW_DATA_DIR: join(work, 'data'), REGISTRY_URL: registry.url, FW_TOKEN: token };
  mkdirSync(join(work, 'left-pad', 'lib'), { recursive: true });
  mkdirSync(join(work, 'ui', 'dist'), { recursive: true });
  const pad = writePackage(join(work, 'left-pad'), { name: 'left-pad', version: '1.0.0', description: 'String padding for the masses', keywords: ['string', 'pad'], types: 'index.d.ts', main: 'index.js', files: ['index.js', 'index.d.ts', 'lib'] }, {
    'index.js': 'exports.pad = (s, n) => s.padStart(n);\n',
    'index.d.ts': [
      '/** Pads a string on the left. */',
      'export declare function pad(s: string, n?: number): string;',
      'export declare class Padder { constructor(fill: string); run(s: string): string }',
      'export interface PadOptions { fill?: string }',
      'export type Fill = " " | "0";',
      'export declare const VERSION: string;',
      'export declare enum Side { Left, Right }',
      "export * from './lib/extra.js';",
    ].join('\n'),
    'lib/extra.d.ts': 'export declare function padEnd(s: string): string;\nexport declare namespace Widths { const max: number }\n',
    'README.md': README,
  });
  const ui = writePackage(join(work, 'ui'), { name: '@acme/ui', version: '1.2.0', description: 'Buttons and widgets', exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } }, files: ['dist'] }, {
    'dist/index.js': 'export const Button = 1;\n',
    'dist/index.d.ts': 'export declare const Button: { label: string };\nexport declare function render(el: unknown): void;\nexport default class Widget {}\n',
    'README.md': '# @acme/ui\n',
  });
  const other = writePackage(join(work, 'other'), { name: 'pad-utils-remote', version: '0.1.0', description: 'padding helpers only the registry knows' }, { 'index.js': '' });
  for (const dir of [pad, ui, other]) {
    const r = await run(['registry', 'publish', dir]);
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(async () => {
  await registry?.stop();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('pkg commands against a running registry', () => {
  it('pkg:fetch caches README, metadata and exported symbols (versions, ranges)', async () => {
    const r = await run(['pkg', 'fetch', 'left-pad@1.0.0', '@acme/ui@^1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('+ left-pad@1.0.0: 8 symbols (1 class, 1 enum, 2 function, 1 interface, 1 namespace, 1 type, 1 variable)');
    expect(r.stdout).toContain('+ @acme/ui@1.2.0: 3 symbols');
    const cached = JSON.parse(readFileSync(join(env.FW_DATA_DIR!, '.docs', 'packages', 'left-pad.json'), 'utf8')) as { symbols: Array<{ name: string; kind: string; signature?: string; doc?: string }>; readme: string; types: string; keywords: string[] };
    expect(cached.types).toBe('index.d.ts');
    expect(cached.readme).toBe(README);
    expect(cached.symbols.map((s) => `${s.kind} ${s.name}`)).toEqual([
      'type Fill', 'function pad', 'class Padder', 'function padEnd', 'interface PadOptions', 'enum Side', 'variable VERSION', 'namespace Widths',
    ].sort((a, b) => a.split(' ')[1]!.localeCompare(b.split(' ')[1]!)));
    expect(cached.symbols.find((s) => s.name === 'pad')).toMatchObject({ signature: '(s: string, n?: number): string', doc: 'Pads a string on the left.' });
  });

  it('pkg:local lists the cache with version, symbol count and age', async () => {
    const r = await run(['pkg', 'local', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ name: string; version: string; symbols: number; age: string }>;
    expect(rows.map((x) => [x.name, x.version, x.symbols])).toEqual([['@acme/ui', '1.2.0', 3], ['left-pad', '1.0.0', 8]]);
    expect(rows[0]!.age).toMatch(/^\d+s ago$/);
    const human = await run(['pkg', 'local']);
    expect(human.stdout).toMatch(/^left-pad@1\.0\.0\s+8 symbols {2}\d+s ago$/m);
  });

  it('pkg:search ranks packages and symbols, merged with the registry search', async () => {
    let r = await run(['pkg', 'search', 'pad', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { hits } = JSON.parse(r.stdout) as { hits: Array<{ kind: string; name: string; symbol?: string; source: string; score: number }> };
    expect(hits[0]).toMatchObject({ kind: 'package', name: 'left-pad', source: 'both' });
    expect(hits.some((h) => h.kind === 'symbol' && h.symbol === 'padEnd')).toBe(true);
    expect(hits.find((h) => h.name === 'pad-utils-remote')).toMatchObject({ kind: 'package', source: 'registry' });
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    r = await run(['pkg', 'search', 'widget']);
    expect(r.stdout).toMatch(/@acme\/ui › Widget class|@acme\/ui@1\.2\.0/);
    r = await run(['pkg', 'search', 'Padder', '--offline', '--json']);
    expect((JSON.parse(r.stdout) as { hits: Array<{ symbol?: string }> }).hits[0]).toMatchObject({ symbol: 'Padder' });
  });

  it('errors are one line with exit 1 (unknown package, no such version) or 2 (usage)', async () => {
    for (const args of [['pkg', 'fetch', 'no-such-pkg'], ['pkg', 'fetch', 'left-pad@9.9.9'], ['pkg', 'search', 'zzzqqq', '--offline'], ['sync', 'docset', 'create', 'never-fetched']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(/^fw: /);
    }
    const usage = await run(['pkg', 'search', 'x', '--limit', 'many']);
    expect(usage.code).toBe(2);
  });
});

describe('sync docset create', () => {
  let out: string;
  let docset: string;
  beforeAll(async () => {
    out = temp('docsets');
    const r = await run(['sync', 'docset', 'create', '--out', out, '--base-url', 'https://docs.example.com/feeds']);
    expect(r.code, r.stderr).toBe(0);
    docset = join(out, 'FactoryWager.docset');
  });

  it('Info.plist names the docset and its index page', () => {
    const info = parsePlist(readFileSync(join(docset, 'Contents', 'Info.plist'), 'utf8')) as Record<string, unknown>;
    expect(info).toMatchObject({ CFBundleIdentifier: 'factorywager', CFBundleName: 'FactoryWager', DocSetPlatformFamily: 'factorywager', isDashDocset: true, dashIndexFilePath: 'index.html' });
    expect(existsSync(join(docset, 'Contents', 'Resources', 'Documents', 'index.html'))).toBe(true);
  });

  it('the index opens with SQLite and lists every package and symbol, each path at an existing document and anchor', () => {
    const db = new Database(join(docset, 'Contents', 'Resources', 'docSet.dsidx'), { readonly: true });
    try {
      const columns = db.query('PRAGMA table_info(searchIndex)').all() as Array<{ name: string; type: string; pk: number }>;
      expect(columns.map((c) => [c.name, c.type, c.pk])).toEqual([['id', 'INTEGER', 1], ['name', 'TEXT', 0], ['type', 'TEXT', 0], ['path', 'TEXT', 0]]);
      const idx = db.query("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'anchor'").get() as { sql: string };
      expect(idx.sql).toBe('CREATE UNIQUE INDEX anchor ON searchIndex (name, type, path)');
      const rows = db.query('SELECT name, type, path FROM searchIndex').all() as Array<{ name: string; type: string; path: string }>;
      const expected: string[] = [];
      for (const file of ['left-pad.json', '@acme+ui.json']) {
        const d = JSON.parse(readFileSync(join(env.FW_DATA_DIR!, '.docs', 'packages', file), 'utf8')) as { name: string; symbols: Array<{ name: string; kind: string }> };
        expected.push(`${d.name} Package`, ...d.symbols.map((s) => `${s.name} ${s.kind[0]!.toUpperCase()}${s.kind.slice(1)}`));
      }
      expect(rows.map((r) => `${r.name} ${r.type}`).sort()).toEqual(expected.sort());
      for (const row of rows) {
        const [file, fragment] = row.path.split('#') as [string, string | undefined];
        const html = readFileSync(join(docset, 'Contents', 'Resources', 'Documents', file), 'utf8');
        if (fragment === undefined) continue;
        const id = decodeURIComponent(fragment);
        const found: string[] = [];
        const walk = (nodes: ReturnType<typeof parseDocument>['children']) => {
          for (const n of nodes) {
            const a = (n as { attribs?: Record<string, string> }).attribs;
            if (a?.id === id) found.push(id);
            if ('children' in n) walk((n as { children: typeof nodes }).children);
          }
        };
        walk(parseDocument(html).children);
        expect(found, `${row.path} has no anchor`).toEqual([id]);
      }
    } finally {
      db.close();
    }
  });

  it('README rendered and sanitized: nothing in the page can run', () => {
    const html = readFileSync(join(docset, 'Contents', 'Resources', 'Documents', 'left-pad.html'), 'utf8');
    const doc = parseDocument(html);
    const bad: string[] = [];
    const walk = (nodes: typeof doc.children) => {
      for (const n of nodes) {
        if ((n as { name?: string }).name === 'script') bad.push('script');
        for (const [k, v] of Object.entries((n as { attribs?: Record<string, string> }).attribs ?? {})) {
          if (k.startsWith('on') || /^\s*javascript:/i.test(v)) bad.push(`${k}=${v}`);
        }
        if ('children' in n) walk((n as { children: typeof nodes }).children);
      }
    };
    walk(doc.children);
    expect(bad).toEqual([]);
    expect(html).toContain('<a href="https://example.com/docs">docs</a>');
    expect(html).toContain('<code class="language-js">');
    expect(html).toContain('<a name="//apple_ref/cpp/Function/pad" class="dashAnchor"></a>');
  });

  it('the .tgz holds the docset and the feed points Dash and Zeal at it', async () => {
    const names: string[] = [];
    await tar.t({ file: join(out, 'FactoryWager.tgz'), onReadEntry: (e) => { names.push(e.path); } });
    expect(names).toEqual(expect.arrayContaining(['FactoryWager.docset/Contents/Info.plist', 'FactoryWager.docset/Contents/Resources/docSet.dsidx', 'FactoryWager.docset/Contents/Resources/Documents/left-pad.html']));
    const feed = new XMLParser().parse(readFileSync(join(out, 'FactoryWager.xml'), 'utf8')) as { entry: { version: string; url: string } };
    expect(feed.entry.url).toBe('https://docs.example.com/feeds/FactoryWager.tgz');
    expect(feed.entry.version).toMatch(/^\d{4}-\d{2}-\d{2}\.[0-9a-f]{8}$/);
  });

  it('only the named packages when given', async () => {
    const only = temp('only');
    const r = await run(['sync', 'docset', 'create', '@acme/ui', '--out', only, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ packages: 1, entries: 4 });
  });
});
