import { isPlainObject } from '../_http.ts';
import type { Uplinks } from '../uplinks.ts';

/** One object of npm's `/-/v1/search` answer (only what the merge reads is typed). */
export interface SearchObject {
  package: Record<string, unknown>;
  [field: string]: unknown;
}

/** npm's search answer; the merged one marks each object's `origin`. */
export interface SearchAnswer {
  objects: SearchObject[];
  total: number;
  time: string;
  [field: string]: unknown;
}

export interface UpstreamSearchDeps {
  uplinks: Uplinks;
  /** Names published here: their upstream namesakes are never shown. */
  localNames: () => Promise<Set<string>>;
  /** Milliseconds to wait for the uplinks; slower ones are left out of this answer. */
  timeoutMs: number;
  via: readonly string[];
}

/** How each uplink did, under `fw.uplinks` of the answer. */
export type UplinkSearchState = 'ok' | 'timeout' | 'failed' | 'skipped';

/**
 * A search text that names a private package or scope is not sent upstream (it would tell the
 * upstream what is private here): a term that is a local name, or that a private rule reserves
 * (`@acme`, `@acme/x`, `scope:acme`, `acme-internal` under a rule `acme-*` with no proxy).
 */
function mentionsPrivate(text: string, uplinks: Uplinks, local: Set<string>): boolean {
  return text.toLowerCase().split(/\s+/).filter(Boolean).some((raw) => {
    const term = raw.startsWith('scope:') ? `@${raw.slice(6).replace(/^@/, '')}` : raw.replace(/^[a-z]+:/, '');
    if (!term) return false;
    const candidates = term.startsWith('@') ? [term.includes('/') ? term : `${term}/x`] : [term];
    return candidates.some((name) => local.has(name) || uplinks.for(name).length === 0);
  });
}

async function askUplink(deps: UpstreamSearchDeps, id: string, query: URLSearchParams, signal: AbortSignal): Promise<{ id: string; state: UplinkSearchState; answer?: SearchAnswer }> {
  try {
    const answer = (await deps.uplinks.getJson(id, `/-/v1/search?${query}`, deps.via, signal)) as SearchAnswer;
    if (!isPlainObject(answer) || !Array.isArray(answer.objects)) return { id, state: 'failed' };
    return { id, state: 'ok', answer };
  } catch {
    return { id, state: signal.aborted ? 'timeout' : 'failed' };
  }
}

/**
 * Wraps whatever the local search answered with the uplinks' results for names that are not here:
 * local objects first (`origin: 'local'`; copies of upstream packages kept here `origin: 'upstream'`,
 * `cached: true`), then the uplinks' (`origin: 'upstream'`, `uplink`),
 * never an upstream object whose name is published here or reserved by a private rule. The uplinks
 * get `timeoutMs` in all: a slow or failing one is left out (`fw.uplinks` says which), so search
 * is never slower than that. Paging: upstream results follow the local ones (`from` past the local
 * total pages into them); `total` is the local total plus the uplinks'.
 * @example
 * const merged = await withUpstreamSearch(search(docs, 'react', 20, 0, new Date()), { text: 'react', size: 20, from: 0 }, deps);
 */
export async function withUpstreamSearch(local: SearchAnswer, query: { text: string; size: number; from: number }, deps: UpstreamSearchDeps): Promise<SearchAnswer> {
  const names = await deps.localNames();
  // The local answer may list uplink copies kept here (the package index does): marked as upstream,
  // and dropped when a rule now reserves the name.
  const objects: SearchObject[] = local.objects.flatMap((o) => {
    const name = String(o.package.name);
    if (names.has(name)) return [{ ...o, origin: 'local' }];
    return deps.uplinks.for(name).length ? [{ ...o, origin: 'upstream', cached: true }] : [];
  });
  const uplinks = deps.uplinks.all();
  if (uplinks.length === 0) return { ...local, objects };
  const states: Record<string, UplinkSearchState> = {};
  if (!query.text.trim() || mentionsPrivate(query.text, deps.uplinks, names)) {
    for (const [id] of uplinks) states[id] = 'skipped';
    return { ...local, objects, fw: { uplinks: states } };
  }
  const params = new URLSearchParams({ text: query.text, size: String(query.size), from: String(Math.max(0, query.from - local.total)) });
  const signal = AbortSignal.timeout(deps.timeoutMs);
  const answers = await Promise.all(uplinks.map(([id]) => askUplink(deps, id, params, signal)));
  let total = local.total;
  const seen = new Set<unknown>(objects.map((o) => o.package.name));
  for (const { id, state, answer } of answers) {
    states[id] = state;
    if (!answer) continue;
    total += typeof answer.total === 'number' ? answer.total : answer.objects.length;
    for (const o of answer.objects) {
      const name = isPlainObject(o) && isPlainObject(o.package) && typeof o.package.name === 'string' ? o.package.name : null;
      if (!name || seen.has(name) || names.has(name) || !deps.uplinks.for(name).some(([u]) => u === id)) continue;
      seen.add(name);
      objects.push({ ...o, origin: 'upstream', uplink: id });
    }
  }
  return { ...local, objects: objects.slice(0, query.size), total, fw: { uplinks: states } };
}
