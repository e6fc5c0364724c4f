import sanitizeHtml from 'sanitize-html';
import type { StoredItem } from './item-store.ts';

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Item HTML from a feed (anyone's): formatting and http(s) links only; no scripts, handlers, styles or frames. */
export function sanitizeSummary(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: ['p', 'br', 'strong', 'b', 'em', 'i', 'code', 'pre', 'ul', 'ol', 'li', 'a', 'blockquote'],
    allowedAttributes: { a: ['href', 'title', 'rel'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowProtocolRelative: false,
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow' }) },
  });
}

const STYLE = 'body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}'
  + 'article{border-bottom:1px solid #ddd;padding:.6rem 0}h2{font-size:1.05rem;margin:0}.meta{color:#666;font-size:.85rem}';

/**
 * One self-contained HTML page of items: inline style, no script, no outside resource, and a
 * Content-Security-Policy that allows neither, so even markup that got past the sanitizer cannot run.
 * @example
 * await writeFile('releases.html', renderItemsHtml(await store.list(), { title: 'Releases' }));
 */
export function renderItemsHtml(items: StoredItem[], options: { title?: string; generated?: Date } = {}): string {
  const title = options.title ?? 'Releases';
  const articles = items.map((it) => {
    const heading = it.link ? `<a href="${escapeHtml(it.link)}" rel="noopener noreferrer nofollow">${escapeHtml(it.title)}</a>` : escapeHtml(it.title);
    const meta = [it.date ?? it.firstSeen, it.author, it.feed.title].filter(Boolean).map((s) => escapeHtml(String(s))).join(' · ');
    return `<article><h2>${heading}</h2><div class="meta">${meta}</div>${it.summary ? `<div>${sanitizeSummary(it.summary)}</div>` : ''}</article>`;
  });
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">`
    + `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'">`
    + `<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>`
    + `<body><h1>${escapeHtml(title)}</h1><p class="meta">${items.length} item${items.length === 1 ? '' : 's'}, generated ${escapeHtml((options.generated ?? new Date()).toISOString())}</p>\n`
    + `${articles.join('\n')}\n</body></html>\n`;
}
