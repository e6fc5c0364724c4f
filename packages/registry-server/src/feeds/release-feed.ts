import { Feed } from 'feed';
import semver from 'semver';
import type { HistoryEvent } from '../packages/history.ts';
import type { Packument } from '../packages/packument.ts';

/** The history events a release feed shows: publishes, dist-tag moves, rollbacks, deprecations. */
export const FEED_EVENT_TYPES = ['publish', 'tag', 'rollback', 'deprecate'] as const;

/** One event of one package, as a feed item is made from it. */
export interface FeedEvent {
  name: string;
  event: HistoryEvent;
  /** The package's packument (for descriptions); null when it is gone. */
  doc: Packument | null;
}

/** A feed item before formatting: plain values, HTML already escaped in `html`. */
export interface ReleaseItem {
  guid: string;
  title: string;
  link: string;
  date: Date;
  author: string;
  /** Item body as HTML built only from escaped text. */
  html: string;
  version?: string;
}

/** Options of {@link renderReleaseFeed}. */
export interface ReleaseFeedOptions {
  title: string;
  description: string;
  /** The feed's own URL (without a token). */
  self: string;
  publicUrl: string;
  format: 'rss' | 'atom';
  updated: Date;
}

/**
 * Escapes text for HTML. Package descriptions and deprecation messages are plain text: escaped,
 * a `<script>` or an `<a href="javascript:...">` in them is shown as the characters it is, and
 * `]]>` can never end the CDATA section the feed library wraps descriptions in.
 */
export const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** A version a prerelease (`1.0.0-beta.1`): `?channel=stable` drops its items. */
export const isPrerelease = (version: string | undefined) => version !== undefined && semver.valid(version) !== null && semver.prerelease(version) !== null;

/**
 * A GUID that depends only on what happened (package, type, version, tag, time, actor): the same
 * event gets the same GUID whatever URL, format or storage layout serves it. A name-based UUID
 * (RFC 9562 version 5 layout over SHA-1), as `urn:uuid:...`, valid as RSS guid and Atom id.
 */
export async function eventGuid(name: string, e: HistoryEvent): Promise<string> {
  const text = JSON.stringify(['fw-release', name, e.type, e.version ?? null, e.tag ?? null, e.time, e.actor]);
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text)));
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = Array.from(hash.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The version an event is about: the published one, the one a tag now points at, the deprecated one. */
export function eventVersion(e: HistoryEvent): string | undefined {
  return e.version ?? str((e as { to?: unknown }).to) ?? str(e.after);
}

/**
 * Turns one history event into a feed item (title, link, escaped HTML body).
 * @example
 * const item = await releaseItem({ name: 'left-pad', event, doc }, 'https://npm.example.com');
 */
export async function releaseItem(fe: FeedEvent, publicUrl: string): Promise<ReleaseItem> {
  const { name, event: e, doc } = fe;
  const version = eventVersion(e);
  const manifest = version ? doc?.versions[version] : undefined;
  const description = str(manifest?.description) ?? str(doc?.description);
  // the web UI's page of the version (npm's URL shape; a scoped name keeps its slash)
  const link = `${publicUrl}/package/${name}${version ? `/v/${encodeURIComponent(version)}` : ''}`;
  const from = str((e as { from?: unknown }).from) ?? str(e.before);
  const reason = str((e as { reason?: unknown }).reason);
  const lines: string[] = [];
  let title: string;
  switch (e.type) {
    case 'publish': {
      const tags = Object.entries((e.after as Record<string, string> | null) ?? {}).filter(([, v]) => v === version).map(([t]) => t);
      title = `${name}@${version} published${tags.length ? ` (${tags.join(', ')})` : ''}`;
      break;
    }
    case 'tag':
      title = `${name}: ${e.tag} → ${version}${from ? ` (was ${from})` : ''}`;
      break;
    case 'rollback':
      title = `${name}: ${e.tag ?? 'latest'} rolled back to ${version}${from ? ` from ${from}` : ''}`;
      break;
    default: {
      const message = str(e.after);
      title = message ? `${name}@${version} deprecated` : `${name}@${version} no longer deprecated`;
      if (message) lines.push(`<p><strong>Deprecated:</strong> ${escapeHtml(message)}</p>`);
    }
  }
  if (description) lines.unshift(`<p>${escapeHtml(description)}</p>`);
  if (reason) lines.push(`<p>Reason: ${escapeHtml(reason)}</p>`);
  lines.push(`<p>${escapeHtml(`${e.type} by ${e.actor} at ${e.time}`)}</p>`);
  const date = new Date(e.time);
  return {
    guid: await eventGuid(name, e), title, link, author: e.actor, html: lines.join(''),
    date: Number.isNaN(date.getTime()) ? new Date(0) : date, ...(version ? { version } : {}),
  };
}

/**
 * Renders items (newest first) as RSS 2.0 or Atom 1.0 with the `feed` library.
 * @example
 * const xml = renderReleaseFeed(items, { title: 'left-pad releases', format: 'atom', ... });
 */
export function renderReleaseFeed(items: ReleaseItem[], o: ReleaseFeedOptions): string {
  const feed = new Feed({
    id: o.self, title: o.title, description: o.description, link: o.publicUrl, updated: o.updated,
    generator: 'FactoryWager Registry', copyright: '', feedLinks: o.format === 'atom' ? { atom: o.self } : { rss: o.self },
  });
  for (const item of items) {
    feed.addItem({
      id: item.guid, guid: item.guid, title: item.title, link: item.link, date: item.date,
      description: item.html, author: [{ name: item.author }],
      ...(item.version ? { category: [{ name: item.version }] } : {}),
    });
  }
  return o.format === 'atom' ? feed.atom1() : feed.rss2();
}
