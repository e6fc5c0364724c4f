import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FeedError } from './errors.ts';

/** One item of a feed, the same for RSS 2.0 and Atom. */
export interface FeedItem {
  /** RSS `guid`, Atom `id`; else the link; the key items are deduplicated by. */
  guid: string;
  title: string;
  /** An http(s) link, or absent (other schemes are dropped). */
  link?: string;
  /** ISO time; absent when the feed gave none that parses. */
  date?: string;
  author?: string;
  /** The description or summary as the feed gave it: HTML from elsewhere, to be sanitized before display. */
  summary?: string;
  /** The feed's title and URL. */
  feed: { title: string; url: string };
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  // Entities stay at XML's five: no DOCTYPE-declared entities (no billion laughs), nothing external.
  processEntities: true,
  htmlEntities: false,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'item' || name === 'entry' || name === 'link' || name === 'author',
});

const text = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return String(v).trim() || undefined;
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return text(o['#text'] ?? o.name ?? o['__cdata']);
  }
  return undefined;
};
const httpUrl = (v: string | undefined, base: string) => {
  if (!v) return undefined;
  try {
    const u = new URL(v, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
};
const isoDate = (v: string | undefined) => {
  const t = v ? Date.parse(v) : Number.NaN;
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
};

/**
 * Parses an RSS 2.0 or Atom 1.0 document with fast-xml-parser (validated first: a document that is
 * not well-formed XML, or neither format, is a FeedError NOT_A_FEED).
 * @example
 * const items = parseFeed(await (await fetch(url)).text(), url);
 */
export function parseFeed(xml: string, url: string): FeedItem[] {
  // Feeds never need entity declarations; refusing them rules out entity expansion attacks.
  if (/<!ENTITY/i.test(xml)) throw new FeedError('NOT_A_FEED', `${url}: declares XML entities, which feeds never need`);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new FeedError('NOT_A_FEED', `${url}: not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  const doc = parser.parse(xml) as Record<string, Record<string, unknown> | undefined>;
  if (doc.rss) {
    const channel = (doc.rss.channel ?? {}) as Record<string, unknown>;
    const feed = { title: text(channel.title) ?? url, url };
    return ((channel.item as Array<Record<string, unknown>> | undefined) ?? []).map((it) => {
      const link = httpUrl(text(it.link), url);
      const title = text(it.title) ?? '(untitled)';
      const guid = text(it.guid) ?? link ?? `${feed.url}#${title}@${text(it.pubDate) ?? ''}`;
      const item: FeedItem = { guid, title, feed };
      const date = isoDate(text(it.pubDate) ?? text(it['dc:date']));
      const author = text(it.author) ?? text(it['dc:creator']);
      const summary = text(it['content:encoded']) ?? text(it.description);
      return Object.assign(item, link ? { link } : {}, date ? { date } : {}, author ? { author } : {}, summary ? { summary } : {});
    });
  }
  if (doc.feed) {
    const f = doc.feed;
    const feed = { title: text(f.title) ?? url, url };
    return ((f.entry as Array<Record<string, unknown>> | undefined) ?? []).map((e) => {
      const links = (e.link as Array<Record<string, unknown>> | undefined) ?? [];
      const alternate = links.find((l) => (l['@rel'] ?? 'alternate') === 'alternate') ?? links[0];
      const link = httpUrl(text(alternate?.['@href']), url);
      const title = text(e.title) ?? '(untitled)';
      const guid = text(e.id) ?? link ?? `${feed.url}#${title}@${text(e.updated) ?? ''}`;
      const item: FeedItem = { guid, title, feed };
      const date = isoDate(text(e.published) ?? text(e.updated));
      const author = text((e.author as unknown[] | undefined)?.[0]);
      const summary = text(e.content) ?? text(e.summary);
      return Object.assign(item, link ? { link } : {}, date ? { date } : {}, author ? { author } : {}, summary ? { summary } : {});
    });
  }
  throw new FeedError('NOT_A_FEED', `${url}: neither RSS 2.0 (<rss>) nor Atom (<feed>)`);
}
