// rss:fetch, rss:list and rss:html end to end against a registry process: its feeds parsed by the
// CLI, items deduplicated by GUID, a private feed read with a read-only ?token= that never reaches
// the registry's request log, and a hostile description inert in the HTML page (parsed, and opened
// in real Chromium).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument, DomUtils } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, publishBody, screenshotPath, startRegistry, type RegistryProcess } from '@factorywager/e2e';

const bin = resolve(import.meta.dirname, '../src/bin.ts');
const temps: string[] = [];
const HOSTILE = 'pads <script>alert(1)</script> <a href="javascript:alert(2)">click</a> <img src=x onerror=alert(3)>';

let registry: RegistryProcess;
let env: Record<string, string>;
let work: string;
let token: string;
let readOnly: string;

function run(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('bun', ['--conditions=source', bin, ...args], { cwd: work, env: { ...process.env, NO_COLOR: '1', ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

beforeAll(async () => {
  registry = await startRegistry({ config: { packages: [
    { pattern: '@internal/*', access: ['$authenticated'], publish: ['$authenticated'], unpublish: ['$authenticated'] },
    { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] },
  ] } });
  const add = await fetch(`${registry.url}/-/user/org.couchdb.user:alice`, { method: 'PUT', body: JSON.stringify({ name: 'alice', password: 'correct horse battery' }) });
  token = ((await add.json()) as { token: string }).token;
  const ro = await fetch(`${registry.url}/-/npm/v1/tokens`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ password: 'correct horse battery', readonly: true }) });
  readOnly = ((await ro.json()) as { token: string }).token;
  expect(readOnly).toBeTruthy();
  for (const [name, version, description] of [['left-pad', '1.0.0', HOSTILE], ['left-pad', '1.1.0', HOSTILE], ['@internal/core', '1.0.0', 'secret sauce']] as const) {
    const { body } = await publishBody(name, version, registry.url, { description });
    const res = await fetch(`${registry.url}/${name.replace('/', '%2f')}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
  }
  work = mkdtempSync(join(tmpdir(), 'fw-rss-'));
  temps.push(work);
  env = { FW_DATA_DIR: join(work, 'data'), REGISTRY_URL: registry.url };
});
afterAll(async () => {
  await registry?.stop();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const kept = () => (JSON.parse(readFileSync(join(env.FW_DATA_DIR!, '.rss', 'items.json'), 'utf8')) as { items: Array<{ guid: string; title: string; summary?: string }> }).items;

describe('rss commands against a running registry', () => {
  it('rss:fetch with no URL reads this registry\'s /-/rss (anonymous: public packages only)', async () => {
    const r = await run(['rss', 'fetch']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`2 items from ${registry.url}/-/rss`);
    expect(r.stdout).toContain('2 new, 0 updated, 2 kept');
    expect(kept().map((i) => i.title)).toEqual(['left-pad@1.1.0 published (latest)', 'left-pad@1.0.0 published (latest)']);
  });

  it('a private feed with a read-only ?token=; items deduplicated by GUID across feeds and fetches; the token stays out of the log', async () => {
    const r = await run(['rss', 'fetch', `${registry.url}/-/rss/@internal?token=${readOnly}&format=atom`, `${registry.url}/-/rss/left-pad`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 new, 2 updated, 3 kept');
    expect(r.stdout).not.toContain(readOnly);
    const guids = kept().map((i) => i.guid);
    expect(new Set(guids).size).toBe(3);
    expect(kept().map((i) => i.title)).toContain('@internal/core@1.0.0 published (latest)');
    // the server writes its request log in batches, up to 100 ms after a request
    for (const until = Date.now() + 5000; !registry.output().includes('"path":"/-/rss/left-pad"') && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
    const log = registry.output();
    expect(log).toContain('"path":"/-/rss/@internal"');
    expect(log).not.toContain(readOnly);
    expect(log).not.toContain('token=');
    // A token that may publish is refused in a URL, and the message does not echo it.
    const full = await run(['rss', 'fetch', `${registry.url}/-/rss/@internal?token=${token}`]);
    expect(full.code).toBe(1);
    expect(full.stderr).toContain('403');
    expect(full.stderr + full.stdout).not.toContain(token);
  });

  it('rss:list newest first, --json', async () => {
    const r = await run(['rss', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const items = JSON.parse(r.stdout) as Array<{ title: string; date: string }>;
    expect(items).toHaveLength(3);
    for (let i = 1; i < items.length; i++) expect(items[i - 1]!.date >= items[i]!.date).toBe(true);
    const human = await run(['rss', 'list']);
    expect(human.stdout.split('\n')[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} {2}@internal\/core@1\.0\.0 published \(latest\)/);
  });

  it('rss:html writes one self-contained page where the hostile description is inert text', async () => {
    const out = join(work, 'releases.html');
    const r = await run(['rss', 'html', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    const doc = parseDocument(html);
    const bad: string[] = [];
    const resources: string[] = [];
    for (const el of DomUtils.findAll(() => true, doc.children)) {
      if (el.name === 'script' || el.name === 'iframe' || el.name === 'object') bad.push(el.name);
      for (const [k, v] of Object.entries(el.attribs)) {
        if (k.startsWith('on') || /^\s*javascript:/i.test(v)) bad.push(`${k}=${v}`);
        if (k === 'src' || (el.name === 'link' && k === 'href')) resources.push(v);
      }
    }
    expect(bad).toEqual([]);
    expect(resources).toEqual([]);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src 'none'`);
    expect(DomUtils.textContent(doc)).toContain('pads <script>alert(1)</script> <a href="javascript:alert(2)">click</a>');
    expect(DomUtils.findAll((e) => e.name === 'article', doc.children)).toHaveLength(3);

    // the same page in real Chromium, scripts on: nothing runs, nothing is fetched, the text shows
    const browser = await openBrowser();
    try {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
      page.on('request', (req) => requests.push(req.url()));
      await page.goto(pathToFileURL(out).href);
      await page.waitForLoadState('load');
      await page.screenshot({ path: screenshotPath('rss-html'), fullPage: true });
      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(out).href]);
      expect(await page.locator('article').count()).toBe(3);
      expect(await page.locator('script, iframe, object, img').count()).toBe(0);
      expect(await page.locator('article', { hasText: 'pads <script>alert(1)</script>' }).count()).toBe(2);
      expect(await page.locator('article', { hasText: '@internal/core@1.0.0 published (latest)' }).count()).toBe(1);
      expect(await page.evaluate(() => document.title)).toBeTruthy();
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('with no URL, the feeds of registry.config.json5; a bad feeds entry names the field', async () => {
    const config = join(work, 'feeds.json5');
    writeFileSync(config, `{ feeds: ['${registry.url}/-/rss/left-pad?channel=stable'] }`);
    let r = await run(['rss', 'fetch', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`2 items from ${registry.url}/-/rss/left-pad`);
    writeFileSync(config, `{ feeds: ['ftp://example.com/feed'] }`);
    r = await run(['rss', 'fetch', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('feeds[0] must be an http(s) URL');
  });

  it('errors: a URL that is no feed, an unreachable one, a bad argument', async () => {
    let r = await run(['rss', 'fetch', `${registry.url}/-/ping`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not well-formed XML|neither RSS/);
    r = await run(['rss', 'fetch', 'http://127.0.0.1:9/-/rss?token=dont-print-me']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('dont-print-me');
    r = await run(['rss', 'fetch', 'file:///etc/passwd']);
    expect(r.code).toBe(2);
    r = await run(['rss', 'list', '--limit', 'x']);
    expect(r.code).toBe(2);
  });
});
