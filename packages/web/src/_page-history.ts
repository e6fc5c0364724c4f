import { html, type Html } from './_html.ts';
import { ago, when } from './_layout.ts';
import type { WebHistoryEvent } from './types.ts';

/** Rows of the history table shown on a package page (newest first). @internal */
export const HISTORY_SHOWN = 100;

const text = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v).slice(0, 80));

function details(e: WebHistoryEvent): Html {
  switch (e.type) {
    case 'tag':
    case 'rollback':
      return html`<span class="badge tag">${e.tag ?? 'latest'}</span> ${text(e.before)} → <strong>${text(e.after ?? e.version)}</strong>${e.changed === false ? html` <span class="muted">(no change)</span>` : null}`;
    case 'untag':
      return html`<span class="badge tag">${e.tag ?? ''}</span> removed (was ${text(e.before)})`;
    case 'deprecate':
      return e.after ? html`${e.version ?? ''}: ${text(e.after)}` : html`${e.version ?? ''}: deprecation removed`;
    case 'publish':
      return html`<strong>${e.version ?? ''}</strong>`;
    case 'unpublish':
      return e.version ? html`${e.version}` : html`every version`;
    default:
      return html`${e.version ?? ''}`;
  }
}

/** The history of a package as a table, newest first (the last {@link HISTORY_SHOWN} events). @internal */
export function historyTable(events: readonly WebHistoryEvent[], now: number): Html {
  if (events.length === 0) return html`<p class="muted">No events recorded.</p>`;
  const rows = events.slice(-HISTORY_SHOWN).reverse().map((e) => html`<tr data-event="${e.type}">
  <td class="when"><time datetime="${e.time}" title="${when(e.time)}">${ago(e.time, now)}</time></td>
  <td><span class="badge event-${/^[a-z]+$/.test(e.type) ? e.type : 'other'}">${e.type}</span></td>
  <td>${e.actor}</td>
  <td>${details(e)}${typeof e.reason === 'string' && e.reason ? html`<div class="muted">“${e.reason}”</div>` : null}</td>
</tr>`);
  return html`<div class="table-wrap"><table class="data" id="history-table">
<caption class="visually-hidden">History, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">By</th><th scope="col">Details</th></tr></thead>
<tbody>${rows}</tbody></table></div>${events.length > HISTORY_SHOWN ? html`<p class="more">The newest ${HISTORY_SHOWN} events; <code>bun run version:history &lt;package&gt;</code> shows them all.</p>` : null}`;
}
