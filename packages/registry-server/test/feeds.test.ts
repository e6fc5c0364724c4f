// Release feeds: RSS 2.0 and Atom from history events, checked with a real XML parser; package text
// comes out inert; access rules, read-only ?token= (never in logs), stable channel, stable GUIDs.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DomUtils, parseDocument } from 'htmlparser2';
import { beforeAll, describe, expect, it } from 'vitest';
import { esc, publish, setup, type Setup } from './_helpers.ts';

const HOSTILE = 'pads <script>alert(1)</script> and <a href="javascript:alert(2)">click</a> ]]> <img src=x onerror=alert(3)>';
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name, jpath) => name === 'item' || name === 'entry' || String(jpath) === 'feed.entry.link' });
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string => (typeof v === 'object' && v !== null && '#text' in v ? String((v as { '#text': unknown })['#text']) : String(v ?? ''));

interface RssItem { title: string; link: string; guid: unknown; pubDate: string; description: string }
interface AtomEntry { id: string; title: unknown; updated: string; link: Array<{ '@href': string }>; summary: unknown }

async function rss(s: Setup, path: string, token?: string) {
  const res = await s.call('GET', path, token ? { token } : {});
  const body = await res.text();
  expect(res.status, body).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
  expect(XMLValidator.validate(body)).toBe(true);
  const doc = parser.parse(body) as { rss: { '@version': string; channel: { title: string; link: string; description: string; item?: RssItem[] } } };
  expect(doc.rss['@version']).toBe('2.0');
  const { channel } = doc.rss;
  for (const field of ['title', 'link', 'description'] as const) expect(text(channel[field]).length, field).toBeGreaterThan(0);
  const items = list(channel.item);
  for (const it of items) {
    expect(it.title).toBeTruthy();
    expect(it.link).toMatch(/^http:\/\/registry\.test\//);
    expect(text(it.guid)).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(it.pubDate).toUTCString()).toBe(it.pubDate); // RFC 822 dates
  }
  return { body, items };
}

async function atom(s: Setup, path: string) {
  const res = await s.call('GET', path);
  const body = await res.text();
  expect(res.status, body).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
  expect(XMLValidator.validate(body)).toBe(true);
  const doc = parser.parse(body) as { feed: { '@xmlns': string; id: string; title: unknown; updated: string; entry?: AtomEntry[] } };
  expect(doc.feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
  expect(doc.feed.id).toBeTruthy();
  expect(Number.isNaN(Date.parse(doc.feed.updated))).toBe(false);
  const entries = list(doc.feed.entry);
  for (const e of entries) {
    expect(e.id).toMatch(/^urn:uuid:/);
    expect(text(e.title)).toBeTruthy();
    expect(Number.isNaN(Date.parse(e.updated))).toBe(false);
    expect(e.link[0]!['@href']).toMatch(/^http:\/\/registry\.test\//);
  }
  return { body, entries };
}

/** Parses an item's HTML as a browser-grade parser does and asserts nothing in it can run. */
function expectInert(html: string): void {
  const doc = parseDocument(html);
  const walk = (nodes: typeof doc.children): void => {
    for (const n of nodes) {
      if (n.type === 'script' || (n as { name?: string }).name === 'script') throw new Error(`script element in ${html}`);
      const attribs = (n as { attribs?: Record<string, string> }).attribs ?? {};
      for (const [k, v] of Object.entries(attribs)) {
        expect(k.startsWith('on'), `${k} handler in ${html}`).toBe(false);
        expect(/^\s*javascript:/i.test(v), `${k}=${v} in ${html}`).toBe(false);
      }
      if ('children' in n) walk((n as { children: typeof doc.children }).children);
    }
  };
  walk(doc.children);
}

describe('release feeds', () => {
  let s: Setup;
  beforeAll(async () => {
    s = setup();
    await publish(s, 'left-pad', '1.0.0', { manifest: { description: HOSTILE } });
    await publish(s, 'left-pad', '1.1.0', { manifest: { description: HOSTILE } });
    await publish(s, 'left-pad', '2.0.0-beta.1', { tag: 'next', manifest: { description: 'beta' } });
    await publish(s, '@acme/ui', '1.0.0');
    await publish(s, '@locked/core', '1.0.0', { token: 'tok-admin' });
    let res = await s.call('PUT', `/-/package/left-pad/dist-tags/stable`, { token: 'tok-ana', body: '1.0.0' });
    expect(res.status).toBe(200);
    res = await s.call('POST', '/-/fw/rollback', { token: 'tok-ana', body: { package: 'left-pad', version: '1.0.0' } });
    expect(res.status).toBe(200);
    const doc = (await (await s.call('GET', '/left-pad')).json()) as { versions: Record<string, Record<string, unknown>>; _rev: string };
    doc.versions['1.1.0']!.deprecated = 'use <b>2.x</b> <script>alert(4)</script>';
    res = await s.call('PUT', '/left-pad', { token: 'tok-ana', body: doc });
    expect(res.status).toBe(200);
  });

  it('a package feed: every kind of event, newest first, valid RSS 2.0 with inert descriptions', async () => {
    const { items, body } = await rss(s, '/-/rss/left-pad');
    expect(items.map((i) => i.title)).toEqual([
      'left-pad@1.1.0 deprecated',
      'left-pad: latest rolled back to 1.0.0 from 1.1.0',
      'left-pad: stable → 1.0.0',
      'left-pad@2.0.0-beta.1 published (next)',
      'left-pad@1.1.0 published (latest)',
      'left-pad@1.0.0 published (latest)',
    ]);
    expect(body).not.toMatch(/<script/i);
    for (const it of items) expectInert(it.description);
    const first = items.at(-1)!.description;
    // Shown as the text it is: the reader displays "<script>alert(1)</script>", runs nothing.
    expect(DomUtils.textContent(parseDocument(first))).toContain(HOSTILE);
    expect(items[0]!.description).toContain('<strong>Deprecated:</strong> use &lt;b&gt;2.x&lt;/b&gt;');
    expect(items.at(-1)!.link).toBe('http://registry.test/package/left-pad/v/1.0.0');
    // each link is the web page of that version
    for (const link of new Set(items.map((i) => i.link))) {
      const page = await s.call('GET', new URL(link).pathname, { headers: { accept: 'text/html' } });
      expect([link, page.status, page.headers.get('content-type')]).toEqual([link, 200, expect.stringContaining('text/html')]);
    }
  });

  it('Atom with the same items and the same GUIDs; GUIDs stable across requests', async () => {
    const { entries } = await atom(s, '/-/rss/left-pad?format=atom');
    const { items } = await rss(s, '/-/rss/left-pad');
    expect(entries.map((e) => e.id)).toEqual(items.map((i) => text(i.guid)));
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    for (const e of entries) expectInert(text(e.summary));
    const again = await rss(s, '/-/rss/left-pad');
    expect(again.items.map((i) => text(i.guid))).toEqual(items.map((i) => text(i.guid)));
  });

  it('?channel=stable drops prereleases', async () => {
    const { items } = await rss(s, '/-/rss/left-pad?channel=stable');
    expect(items.map((i) => i.title)).not.toContain('left-pad@2.0.0-beta.1 published (next)');
    expect(items).toHaveLength(5);
  });

  it('the registry feed shows what the caller may read; a scope feed its scope', async () => {
    const anon = await rss(s, '/-/rss');
    expect(anon.items.some((i) => i.title.startsWith('@acme/ui@1.0.0'))).toBe(true);
    expect(anon.items.some((i) => i.title.includes('@locked'))).toBe(false);
    const ana = await rss(s, '/-/rss', 'tok-ana');
    expect(ana.items.some((i) => i.title.startsWith('@locked/core@1.0.0'))).toBe(true);
    const scope = await rss(s, '/-/rss/@acme');
    expect(scope.items.map((i) => i.title)).toEqual(['@acme/ui@1.0.0 published (latest)']);
    for (const path of ['/-/rss/@acme/ui', `/-/rss/${esc('@acme/ui')}`]) expect((await rss(s, path)).items).toHaveLength(1);
    expect((await rss(s, '/-/rss?limit=2')).items).toHaveLength(2);
  });

  it('access rules: a private feed needs a token; ?token= takes read-only tokens only and stays out of logs', async () => {
    let res = await s.call('GET', '/-/rss/@locked/core');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: expect.any(String) });
    expect((await s.call('GET', '/-/rss/@locked')).status).toBe(401);
    expect((await s.call('GET', '/-/rss/@nobody', { token: 'tok-bob' })).status).toBe(404);
    expect((await s.call('GET', '/-/rss/@locked/core', { token: 'tok-bob' })).status).toBe(200);
    res = await s.call('GET', '/-/rss/@locked/core?token=tok-ro&format=atom');
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).not.toContain('tok-ro');
    expect(body).toContain('http://registry.test/-/rss/@locked/core?format=atom');
    res = await s.call('GET', '/-/rss/@locked/core?token=tok-ana');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toContain('read-only');
    expect((await s.call('GET', '/-/rss/@locked/core?token=forged')).status).toBe(401);
    for (const entry of s.logs) expect(JSON.stringify(entry)).not.toMatch(/tok-ro|tok-ana|forged/);
    expect(s.logs.some((e) => e.path === '/-/rss/@locked/core')).toBe(true);
  });

  it('bad input: a clear JSON error with the right status', async () => {
    for (const [path, status] of [
      ['/-/rss/left-pad?format=json', 400], ['/-/rss?channel=nightly', 400], ['/-/rss?limit=0', 400],
      ['/-/rss/no-such-package', 404], ['/-/rss/@nobody', 401], ['/-/rss/left-pad/extra', 404], ['/-/rss/..%2f..', 400],
    ] as const) {
      const res = await s.call('GET', path);
      expect(res.status, path).toBe(status);
      expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(0);
    }
  });
});
