import { FeedError } from './errors.ts';
import { parseFeed, type FeedItem } from './parse-feed.ts';

/** Options of {@link fetchFeeds}. */
export interface FetchFeedsOptions {
  /** Sent as a bearer token to URLs of this origin only (the CLI's own registry). */
  token?: { origin: string; value: string } | null;
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** Per-feed timeout in ms. Default 30 s. */
  timeoutMs?: number;
}

/** What {@link fetchFeeds} got: the items of every feed that answered, one error per feed that did not. */
export interface FetchFeedsResult {
  /** With each item's position in its feed. */
  items: Array<FeedItem & { position: number }>;
  errors: Array<{ url: string; message: string }>;
  feeds: Array<{ url: string; items: number }>;
}

/**
 * Fetches and parses each feed; a feed that fails does not stop the others. The items come back
 * deduplicated by GUID (the first copy wins within one fetch).
 * @example
 * const { items, errors } = await fetchFeeds(['http://127.0.0.1:4873/-/rss']);
 */
export async function fetchFeeds(urls: string[], options: FetchFeedsOptions = {}): Promise<FetchFeedsResult> {
  const result: FetchFeedsResult = { items: [], errors: [], feeds: [] };
  const seen = new Set<string>();
  for (const url of urls) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new FeedError('INVALID_URL', `${url}: only http(s) feeds`);
      const headers: Record<string, string> = { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.1' };
      if (options.token && parsed.origin === options.token.origin) headers.authorization = `Bearer ${options.token.value}`;
      let res: Response;
      try {
        res = await (options.fetch ?? fetch)(url, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
      } catch (cause) {
        throw new FeedError('FETCH_FAILED', `${parsed.origin}${parsed.pathname}: cannot fetch (${(cause as Error).message})`, { cause });
      }
      const body = await res.text();
      if (!res.ok) {
        let why = res.statusText;
        try { why = String((JSON.parse(body) as { error?: unknown }).error ?? why); } catch { /* not JSON */ }
        throw new FeedError('FETCH_FAILED', `${parsed.origin}${parsed.pathname}: ${res.status} ${why}`);
      }
      const items = parseFeed(body, url);
      result.feeds.push({ url, items: items.length });
      for (const [position, item] of items.entries()) {
        if (seen.has(item.guid)) continue;
        seen.add(item.guid);
        result.items.push({ ...item, position });
      }
    } catch (err) {
      result.errors.push({ url: safeUrl(url), message: (err as Error).message });
    }
  }
  return result;
}

/** A feed URL for messages: its query (which may hold a token) left out. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return url.slice(0, 100);
  }
}
