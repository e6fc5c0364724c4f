import type { HandlerContext } from './_context.ts';
import type { Principal } from './auth/types.ts';
import type { IndexEntry } from './packages/index-entry.ts';
import { ReadFilter } from './packages/index-text.ts';
import type { IndexView } from './packages/package-index.ts';

/** What the list, search, stats and owner routes read from the package index for one caller. */
export interface Readable {
  view: IndexView;
  /** The live entries (local and uplink copies) the caller may read, in name order. */
  entries: readonly IndexEntry[];
  /** The local ones among them. */
  local: readonly IndexEntry[];
  /** Names published here (every caller's; search hides their upstream namesakes). */
  localNames: ReadonlySet<string>;
  /**
   * For a caller who may not read every entry: which of the view's entries it may read, and its kept
   * search answers (search the view's entries with it: one index per view). Null: every entry.
   */
  filter: ReadFilter | null;
}

interface ForView {
  names: ReadonlySet<string>;
  /** Per principal (name, roles, read-only), least recently seen first. */
  byPrincipal: Map<string, Readable>;
  /** Callers with the same rights share one Readable: by a hash of the mask, then compared byte by byte. */
  byRights: Map<number, Readable[]>;
}

function hashOf(mask: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < mask.length; i++) h = Math.imul(h ^ mask[i]!, 0x01000193);
  return h >>> 0;
}

function sameMask(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The entries a principal may read, per index view: filtering 10,000 names through the package rules
 * is done once per change of the index and per distinct principal (name and roles), not per request;
 * the last `maxCallers` principals are kept (`index.callers`). Principals with the same rights share
 * one list and one filter; the view's search index is one for all of them.
 * @example
 * const readable = readableEntries(ctx, 100);
 * (await readable(principal)).entries.length;
 */
export function readableEntries(ctx: HandlerContext, maxCallers = 100): (principal: Principal | null) => Promise<Readable> {
  const memo = new WeakMap<IndexView, ForView>();
  return async (principal) => {
    const view = await ctx.index.view();
    let forView = memo.get(view);
    if (!forView) {
      forView = { names: new Set(view.entries.filter((e) => !e.uplink).map((e) => e.name)), byPrincipal: new Map(), byRights: new Map() };
      memo.set(view, forView);
    }
    const key = principal ? `${principal.name}\n${principal.roles.join(',')}\n${principal.readOnly ? 'ro' : 'rw'}` : '';
    let readable = forView.byPrincipal.get(key);
    if (readable) {
      forView.byPrincipal.delete(key);
    } else {
      if (forView.byPrincipal.size >= Math.max(maxCallers, 1)) forgetOldest(forView);
      readable = readableOf(ctx, view, forView, principal);
    }
    forView.byPrincipal.set(key, readable);
    return readable;
  };
}

function readableOf(ctx: HandlerContext, view: IndexView, forView: ForView, principal: Principal | null): Readable {
  const all = view.entries;
  const mask = new Uint8Array(all.length);
  let n = 0;
  for (let i = 0; i < all.length; i++) if (ctx.auth.can(principal, 'access', all[i]!.name)) mask[i] = 1, n++;
  // callers who may read every entry share the view's list (and so its list body and search answers)
  if (n === all.length) return { view, entries: all, local: all.filter((e) => !e.uplink), localNames: forView.names, filter: null };
  const hash = hashOf(mask);
  const same = forView.byRights.get(hash) ?? [];
  const shared = same.find((r) => sameMask(r.filter!.mask, mask));
  if (shared) return shared;
  const entries = all.filter((_, i) => mask[i] === 1);
  const readable: Readable = { view, entries, local: entries.filter((e) => !e.uplink), localNames: forView.names, filter: new ReadFilter(mask, entries) };
  forView.byRights.set(hash, [...same, readable]);
  return readable;
}

/** Forgets the least recently seen principal, and its rights' list when no kept principal shares them. */
function forgetOldest(forView: ForView): void {
  const [key, gone] = forView.byPrincipal.entries().next().value!;
  forView.byPrincipal.delete(key);
  if (!gone.filter) return;
  for (const r of forView.byPrincipal.values()) if (r === gone) return;
  const hash = hashOf(gone.filter.mask);
  const rest = (forView.byRights.get(hash) ?? []).filter((r) => r !== gone);
  if (rest.length) forView.byRights.set(hash, rest);
  else forView.byRights.delete(hash);
}
