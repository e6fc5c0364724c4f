import { html, type Html } from './_html.ts';
import { ago, layout, packagePath, type PageContext } from './_layout.ts';
import type { ListResult, ListRow } from './types.ts';

/** Rows per page of the package list. @internal */
export const PAGE_SIZE = 50;

// A row's markup, kept per (immutable) row object while its relative age reads the same: the server
// hands out one row object per index entry, so a list page renders only the rows that changed.
const rendered = new WeakMap<ListRow, { age: string; markup: Html }>();

function row(r: ListRow, now: number): Html {
  const age = r.modified ? ago(r.modified, now) : '';
  const held = rendered.get(r);
  if (held?.age === age) return held.markup;
  const markup = rowMarkup(r, age);
  rendered.set(r, { age, markup });
  return markup;
}

function rowMarkup(r: ListRow, age: string): Html {
  return html`<li class="package-row">
  <div class="top">
    <a class="name" href="${packagePath(r.name)}">${r.name}</a>
    <span class="version">${r.version}</span>
    ${r.uplink ? html`<span class="badge uplink" title="cached from the uplink ${r.uplink}, not published here">cached from ${r.uplink}</span>` : null}
    ${r.deprecated ? html`<span class="badge deprecated">deprecated</span>` : null}
  </div>
  ${r.description ? html`<p class="desc">${r.description}</p>` : null}
  <div class="meta">
    <span>${r.versions} version${r.versions === 1 ? '' : 's'}</span>
    ${r.modified ? html`<span>updated <time datetime="${r.modified}">${age}</time></span>` : null}
    ${r.publisher ? html`<span>by ${r.publisher}</span>` : null}
    ${r.license ? html`<span>${r.license}</span>` : null}
  </div>
</li>`;
}

/** The markup of each row of a result (the same objects while the rows and their ages are). @internal */
export function listRows(result: ListResult, now: number): Html[] {
  return result.rows.map((r) => row(r, now));
}

/** The results part of the list page (also what search-as-you-type swaps in). @internal */
export function listResults(result: ListResult, q: string, page: number, rows: readonly Html[]): Html {
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  const link = (p: number) => `/?${new URLSearchParams({ ...(q ? { q } : {}), ...(p > 1 ? { page: String(p) } : {}) })}`;
  const first = result.total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const last = Math.min(result.total, page * PAGE_SIZE);
  const summary = q
    ? html`<p class="muted" id="result-count">${result.total} package${result.total === 1 ? '' : 's'} match <strong>${q}</strong></p>`
    : html`<p class="muted" id="result-count">${result.total} package${result.total === 1 ? '' : 's'}</p>`;
  if (result.rows.length === 0) {
    return html`${summary}<div class="empty card">${q ? html`No package matches <strong>${q}</strong>.` : 'No packages yet: publish one with npm publish.'}</div>`;
  }
  return html`${summary}
<ul class="package-list">${rows}</ul>
<nav class="pager" aria-label="Pages">
  <span class="muted">${first}–${last} of ${result.total} · page ${page} of ${pages}</span>
  <span>
    ${page > 1 ? html`<a class="button secondary" href="${link(page - 1)}" rel="prev">← Previous</a>` : null}
    ${page < pages ? html`<a class="button secondary" href="${link(page + 1)}" rel="next">Next →</a>` : null}
  </span>
</nav>`;
}

/** The home page: search and the paged package list. @internal */
export function listPage(ctx: PageContext, result: ListResult, q: string, page: number, rows: readonly Html[]): string {
  const main = html`<div class="hero">
  <div>
    <h1>Packages</h1>
    <p class="muted">Published here, and cached from upstream registries.</p>
  </div>
</div>
<form class="search-form" method="get" action="/" role="search" data-live-search>
  <label class="visually-hidden" for="q">Search by name, description or keyword</label>
  <input id="q" type="search" name="q" value="${q}" placeholder="Search by name, description or keywords:cli" autocomplete="off" aria-controls="results">
  <button type="submit">Search</button>
</form>
<section id="results" aria-live="polite">${listResults(result, q, page, rows)}</section>`;
  return layout({ ...ctx, q, ownSearch: true }, q ? `Search: ${q}` : 'Packages', main);
}
