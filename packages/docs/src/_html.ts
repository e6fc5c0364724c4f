import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { docFileName } from './cache.ts';
import type { DocSymbol, PackageDocs, SymbolKind } from './types.ts';

/** Dash's entry type for each symbol kind (https://kapeli.com/docsets#supportedentrytypes). */
export const DASH_TYPES: Record<SymbolKind | 'package', string> = {
  package: 'Package', function: 'Function', class: 'Class', interface: 'Interface', type: 'Type',
  variable: 'Variable', enum: 'Enum', namespace: 'Namespace',
};

export const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The page of a package inside `Documents/`. */
export const pageOf = (name: string) => `${docFileName(name)}.html`;
/** The element id of a symbol on its package's page. */
export const anchorOf = (s: DocSymbol) => `${s.kind}-${s.name}`;

/**
 * A README (Markdown, from a package anyone may publish) as HTML that cannot run anything: marked
 * renders it, sanitize-html keeps formatting, images and http(s)/mailto links only.
 */
export function renderReadme(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true }) as string;
  return sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'h1', 'h2', 'details', 'summary'],
    allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'title', 'width', 'height'], code: ['class'], th: ['align'], td: ['align'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowProtocolRelative: false,
  });
}

const safeUrl = (u: string | undefined) => {
  const url = u?.replace(/^git\+/, '');
  return url && /^https?:\/\//i.test(url) ? url : undefined;
};

const STYLE = 'body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}'
  + 'code,pre{font-family:ui-monospace,monospace;background:#f4f4f4}pre{padding:.6rem;overflow:auto}'
  + '.kind{color:#666;font-size:.8em;margin-left:.5em}table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left}';

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>`
    + `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src https: http:">`
    + `<style>${STYLE}</style></head><body>${body}</body></html>\n`;
}

/**
 * A package's page: metadata, README, then each symbol under its anchor, with the `dashAnchor`
 * Dash reads for the page's table of contents.
 */
export function packagePage(d: PackageDocs): string {
  const rows: Array<[string, string]> = [['version', escapeHtml(d.version)]];
  if (d.license) rows.push(['license', escapeHtml(d.license)]);
  const home = safeUrl(d.homepage);
  if (home) rows.push(['homepage', `<a href="${escapeHtml(home)}">${escapeHtml(home)}</a>`]);
  const repo = safeUrl(d.repository);
  if (repo) rows.push(['repository', `<a href="${escapeHtml(repo)}">${escapeHtml(repo)}</a>`]);
  if (d.types) rows.push(['types', `<code>${escapeHtml(d.types)}</code>`]);
  const tags = Object.entries(d.distTags).map(([t, v]) => `${t}: ${v}`).join(', ');
  if (tags) rows.push(['dist-tags', escapeHtml(tags)]);
  const symbols = d.symbols.map((s) => {
    const dash = `//apple_ref/cpp/${DASH_TYPES[s.kind]}/${encodeURIComponent(s.name)}`;
    return `<section><h3 id="${escapeHtml(anchorOf(s))}"><a name="${escapeHtml(dash)}" class="dashAnchor"></a><code>${escapeHtml(s.name)}</code><span class="kind">${s.kind}</span></h3>`
      + `${s.signature ? `<pre>${escapeHtml(s.signature)}</pre>` : ''}${s.doc ? `<p>${escapeHtml(s.doc)}</p>` : ''}</section>`;
  }).join('\n');
  return page(`${d.name}@${d.version}`, `<h1>${escapeHtml(d.name)}</h1>`
    + `${d.description ? `<p>${escapeHtml(d.description)}</p>` : ''}`
    + `<table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`
    + `<h2 id="readme">README</h2>${d.readme ? renderReadme(d.readme) : '<p>(no README)</p>'}`
    + `<h2 id="api">API</h2>${symbols || '<p>(no type declarations)</p>'}`);
}

/** The docset's front page: every package with its version and symbol count. */
export function indexPage(title: string, docs: PackageDocs[]): string {
  const items = docs.map((d) => `<li><a href="${escapeHtml(pageOf(d.name))}">${escapeHtml(d.name)}</a> ${escapeHtml(d.version)}`
    + ` <span class="kind">${d.symbols.length} symbols</span>${d.description ? ` — ${escapeHtml(d.description)}` : ''}</li>`);
  return page(title, `<h1>${escapeHtml(title)}</h1><ul>${items.join('\n')}</ul>`);
}
