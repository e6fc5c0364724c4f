import { ASSETS } from './_assets.generated.ts';
import { html, type Html } from './_html.ts';

/** What every page knows about the request. @internal */
export interface PageContext {
  user: { name: string } | null;
  csrf: string;
  /** The current path and query, for the login link's return. */
  here: string;
  q?: string;
  flash?: { kind: 'ok' | 'error'; text: string } | null;
  /** The list page has its own search form: no second one in the header. */
  ownSearch?: boolean;
}

/** The HTML document around a page's main content. @internal */
export function layout(ctx: PageContext, title: string, main: Html, extra: Html | null = null): string {
  const account = ctx.user
    ? html`<span>Signed in as <strong>${ctx.user.name}</strong></span>
      <form method="post" action="/-/web/logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button class="secondary small" type="submit">Log out</button></form>`
    : html`<a class="button secondary small" href="/-/web/login?next=${encodeURIComponent(ctx.here)}">Log in</a>`;
  const flash = ctx.flash ? html`<div class="flash ${ctx.flash.kind}" role="${ctx.flash.kind === 'error' ? 'alert' : 'status'}">${ctx.flash.text}</div>` : null;
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title} · FactoryWager Registry</title>
<link rel="icon" type="image/svg+xml" href="${ASSETS.icon.path}">
<link rel="stylesheet" href="${ASSETS.css.path}">
<script src="${ASSETS.js.path}" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
  <div class="bar">
    <a class="brand" href="/"><img src="${ASSETS.icon.path}" alt="" width="28" height="28"><span>FactoryWager <small>Registry</small></span></a>
    ${ctx.ownSearch ? html`<span class="header-search"></span>` : html`<form class="header-search" method="get" action="/" role="search">
      <label class="visually-hidden" for="header-q">Search packages</label>
      <input id="header-q" type="search" name="q" value="${ctx.q ?? ''}" placeholder="Search packages" autocomplete="off">
      <button class="secondary" type="submit">Search</button>
    </form>`}
    <div class="account">${account}</div>
  </div>
</header>
<main id="main" tabindex="-1">
${flash}
${main}
</main>
${extra}
<footer class="site-footer">FactoryWager Registry · private npm registry</footer>
</body>
</html>`}`;
}

/** A compact date: `2026-01-31 14:05 UTC`. @internal */
export function when(iso: unknown): string {
  if (typeof iso !== 'string') return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Relative age: `3 days ago`. @internal */
export function ago(iso: unknown, now: number): string {
  if (typeof iso !== 'string') return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  const steps: Array<[number, string]> = [[31_536_000, 'year'], [2_592_000, 'month'], [86_400, 'day'], [3600, 'hour'], [60, 'minute']];
  for (const [size, unit] of steps) if (s >= size) return `${Math.floor(s / size)} ${unit}${Math.floor(s / size) > 1 ? 's' : ''} ago`;
  return 'just now';
}

/** Bytes as `12.3 kB`. @internal */
export function bytes(n: number | undefined | null): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** The path of a package page (scoped names keep their slash). @internal */
export function packagePath(name: string, version?: string): string {
  const base = `/package/${name.split('/').map((s) => encodeURIComponent(s).replace(/^%40/, '@')).join('/')}`;
  return version ? `${base}/v/${encodeURIComponent(version)}` : base;
}
