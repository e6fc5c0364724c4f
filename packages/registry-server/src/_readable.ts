import type { HandlerContext } from './_context.ts';
import type { Principal } from './auth/types.ts';
import type { IndexEntry } from './packages/index-entry.ts';
import type { IndexView } from './packages/package-index.ts';

/** Distinct principals remembered per index view (an index change starts afresh). */
const MAX_PRINCIPALS = 100;

/** What the list, search, stats and owner routes read from the package index for one caller. */
export interface Readable {
  view: IndexView;
  /** The live entries (local and uplink copies) the caller may read, in name order. */
  entries: readonly IndexEntry[];
  /** The local ones among them. */
  local: readonly IndexEntry[];
  /** Names published here (every caller's; search hides their upstream namesakes). */
  localNames: ReadonlySet<string>;
}

/**
 * The entries a principal may read, per index view: filtering 10,000 names through the package rules
 * is done once per change of the index and per distinct principal (name and roles), not per request.
 * @example
 * const readable = readableEntries(ctx);
 * (await readable(principal)).entries.length;
 */
export function readableEntries(ctx: HandlerContext): (principal: Principal | null) => Promise<Readable> {
  const memo = new WeakMap<IndexView, { names: ReadonlySet<string>; byPrincipal: Map<string, Readable> }>();
  return async (principal) => {
    const view = await ctx.index.view();
    let forView = memo.get(view);
    if (!forView) {
      forView = { names: new Set(view.entries.filter((e) => !e.uplink).map((e) => e.name)), byPrincipal: new Map() };
      memo.set(view, forView);
    }
    const key = principal ? `${principal.name}\n${principal.roles.join(',')}\n${principal.readOnly ? 'ro' : 'rw'}` : '';
    let readable = forView.byPrincipal.get(key);
    if (!readable) {
      if (forView.byPrincipal.size >= MAX_PRINCIPALS) forView.byPrincipal.clear();
      const allowed = view.entries.filter((e) => ctx.auth.can(principal, 'access', e.name));
      // callers who may read every entry share one list (and so one search index and list body)
      const entries = allowed.length === view.entries.length ? view.entries : allowed;
      readable = { view, entries, local: entries.filter((e) => !e.uplink), localNames: forView.names };
      forView.byPrincipal.set(key, readable);
    }
    return readable;
  };
}
