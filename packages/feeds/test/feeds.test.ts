import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomUtils, parseDocument } from 'htmlparser2';
import { afterAll, describe, expect, it } from 'vitest';
import { FeedItemStore, parseFeed, renderItemsHtml, sanitizeSummary } from '@factorywager/feeds';

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>R</title><link>http://r/</link><description>d</description>
<item><title>a@2</title><link>http://r/a/2</link><guid isPermaLink="false">urn:uuid:2</guid><pubDate>Tue, 01 Dec 2026 10:00:01 GMT</pubDate><description><![CDATA[<p>two <script>alert(1)</script></p>]]></description></item>
<item><title>a@1</title><link>javascript:alert(1)</link><guid>urn:uuid:1</guid><pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate></item>
</channel></rss>`;
const ATOM = `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:x</id><updated>2026-12-01T10:00:02Z</updated>
<entry><title type="html"><![CDATA[a@3]]></title><id>urn:uuid:3</id><link href="http://r/a/3"/><updated>2026-12-01T10:00:02Z</updated><summary type="html">&lt;b&gt;bold&lt;/b&gt;</summary><author><name>ana</name></author></entry>
<entry><title>a@2 again</title><id>urn:uuid:2</id><link rel="alternate" href="/a/2"/><updated>2026-12-01T10:00:01Z</updated></entry>
</feed>`;

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('parseFeed', () => {
  it('reads RSS 2.0: guid, http(s) links only, dates, CDATA descriptions', () => {
    const items = parseFeed(RSS, 'http://r/-/rss');
    expect(items.map((i) => [i.guid, i.title, i.link ?? null, i.date])).toEqual([
      ['urn:uuid:2', 'a@2', 'http://r/a/2', '2026-12-01T10:00:01.000Z'],
      ['urn:uuid:1', 'a@1', null, '2026-12-01T10:00:00.000Z'],
    ]);
    expect(items[0]!.summary).toBe('<p>two <script>alert(1)</script></p>');
    expect(items[0]!.feed).toEqual({ title: 'R', url: 'http://r/-/rss' });
  });
  it('reads Atom: id, alternate link resolved against the feed URL, author, HTML summary', () => {
    const items = parseFeed(ATOM, 'http://r/-/rss?format=atom');
    expect(items.map((i) => [i.guid, i.title, i.link, i.author])).toEqual([
      ['urn:uuid:3', 'a@3', 'http://r/a/3', 'ana'], ['urn:uuid:2', 'a@2 again', 'http://r/a/2', undefined],
    ]);
    expect(items[0]!.summary).toBe('<b>bold</b>');
  });
  it.each([
    ['not XML', '{"ok":true}'],
    ['another document', '<html><body/></html>'],
    ['entity declarations', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel><title>&a;</title></channel></rss>'],
  ])('refuses %s', (_, text) => {
    expect(() => parseFeed(text, 'http://r/x')).toThrow(expect.objectContaining({ code: 'NOT_A_FEED' }));
  });
});

describe('FeedItemStore and the HTML page', () => {
  it('deduplicates by GUID across feeds, keeps first sight, lists newest first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-feeds-'));
    temps.push(dir);
    const store = new FeedItemStore(join(dir, 'items.json'));
    expect(await store.merge(parseFeed(RSS, 'http://r/-/rss'), new Date('2026-12-01T11:00:00Z'))).toEqual({ added: 2, updated: 0, total: 2 });
    expect(await store.merge(parseFeed(ATOM, 'http://r/-/rss?format=atom'), new Date('2026-12-01T12:00:00Z'))).toEqual({ added: 1, updated: 1, total: 3 });
    const items = await store.list();
    expect(items.map((i) => i.guid)).toEqual(['urn:uuid:3', 'urn:uuid:2', 'urn:uuid:1']);
    expect(items[1]).toMatchObject({ title: 'a@2 again', firstSeen: '2026-12-01T11:00:00.000Z' });
  });
  it('sanitizes item HTML and escapes titles; the page has no script and forbids scripts', () => {
    expect(sanitizeSummary('<p onclick="x()">hi <a href="javascript:alert(1)">j</a> <a href="https://ok">k</a><script>alert(2)</script><iframe src="http://x"></iframe></p>'))
      .toBe('<p>hi <a rel="noopener noreferrer nofollow">j</a> <a href="https://ok" rel="noopener noreferrer nofollow">k</a></p>');
    const html = renderItemsHtml([{ guid: 'g', title: '<script>alert(3)</script>', summary: '<img src=x onerror=alert(4)>', feed: { title: 'f', url: 'http://r' }, firstSeen: '2026-12-01T00:00:00Z', position: 0 }], { generated: new Date(0) });
    const doc = parseDocument(html);
    expect(DomUtils.findAll((e) => e.name === 'script' || e.name === 'img', doc.children)).toEqual([]);
    expect(DomUtils.textContent(doc)).toContain('<script>alert(3)</script>');
    expect(html).toContain("default-src 'none'");
  });
});
