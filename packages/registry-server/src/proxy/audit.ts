import { RegistryError } from '../errors.ts';
import { isPlainObject } from '../_http.ts';
import type { Uplinks } from '../uplinks.ts';

/** What the audit forwarding needs: the uplinks and the names that exist here. */
export interface AuditDeps {
  uplinks: Uplinks;
  /** Names published here (live or not): never sent upstream. */
  localNames: () => Promise<Set<string>>;
  via: readonly string[];
}

const BULK = '/-/npm/v1/security/advisories/bulk';
const QUICK = '/-/npm/v1/security/audits/quick';

/**
 * Splits names into groups by the uplinks that serve them; private names (published here, or
 * reserved by a rule with no proxy or `private: true`) are in no group: they never leave.
 */
async function groupByUplinks(deps: AuditDeps, names: string[]): Promise<Map<string, { chain: string[]; names: string[] }>> {
  const local = await deps.localNames();
  const groups = new Map<string, { chain: string[]; names: string[] }>();
  for (const name of names) {
    if (local.has(name)) continue;
    const chain = deps.uplinks.for(name).map(([id]) => id);
    if (chain.length === 0) continue;
    const key = chain.join('\n');
    const group = groups.get(key) ?? { chain, names: [] };
    group.names.push(name);
    groups.set(key, group);
  }
  return groups;
}

/** Asks each uplink of a chain in turn; the first 2xx JSON answer wins; all failing is an error. */
async function ask(deps: AuditDeps, chain: string[], path: string, body: unknown, count: number): Promise<unknown> {
  const failures: string[] = [];
  for (const id of chain) {
    try {
      return await deps.uplinks.postJson(id, path, body, deps.via);
    } catch (err) {
      failures.push((err as Error).name === 'TimeoutError' ? `${id} did not answer in time` : (err as Error).message);
    }
  }
  throw new RegistryError('UPSTREAM_UNAVAILABLE', `the audit could not be done: no uplink answered for ${count} package${count === 1 ? '' : 's'} (${failures.join('; ')})`);
}

function noUplink(): never {
  throw new RegistryError('AUDIT_UNAVAILABLE', 'the audit cannot be done: this registry has no uplink to ask for advisories (the proxy is off), and it keeps no advisories of its own');
}

/** Every name asked about is published here (or reserved): nobody holds advisories of them. */
function onlyPrivate(count: number): never {
  throw new RegistryError('AUDIT_UNAVAILABLE', `the audit cannot be done: ${count === 1 ? 'the one package' : `all ${count} packages`} asked about ${count === 1 ? 'is' : 'are'} published here (or reserved), and no advisory database covers packages published here`);
}

/** Refuses an audit of which no part can be done (so that it never reads as a clean one). */
function assertAuditable(groups: Map<unknown, unknown>, askedCount: number, deps: AuditDeps): void {
  if (groups.size > 0) return;
  if (deps.uplinks.all().length === 0) noUplink();
  if (askedCount > 0) onlyPrivate(askedCount);
}

/**
 * npm's bulk advisory request (`{ name: [versions] }`, what npm 11 and pnpm send) forwarded to the
 * uplinks that serve those names, with every private name removed first, the answers merged. An
 * audit that cannot be done is an error (so `npm audit` says so), never an empty answer: with no
 * uplink at all (proxy off) AUDIT_UNAVAILABLE, when an uplink fails UPSTREAM_UNAVAILABLE. Only when
 * every name is private is the answer `{}` without asking anyone.
 * @example
 * await bulkAudit({ uplinks, localNames, via: [] }, { 'left-pad': ['1.3.0'], '@acme/ui': ['2.0.0'] });
 * // asks the uplink about left-pad only
 */
export async function bulkAudit(deps: AuditDeps, body: unknown): Promise<Record<string, unknown[]>> {
  if (!isPlainObject(body) || !Object.values(body).every((v) => Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
    throw new RegistryError('BAD_REQUEST', 'the bulk advisory request must be an object of package name -> array of versions');
  }
  const asked = body as Record<string, string[]>;
  const groups = await groupByUplinks(deps, Object.keys(asked));
  assertAuditable(groups, Object.keys(asked).length, deps);
  const out: Record<string, unknown[]> = {};
  await Promise.all([...groups.values()].map(async ({ chain, names }) => {
    const part = Object.fromEntries(names.map((n) => [n, asked[n]!]));
    const answer = await ask(deps, chain, BULK, part, names.length);
    if (!isPlainObject(answer)) throw new RegistryError('UPSTREAM_UNAVAILABLE', `the audit could not be done: ${chain[0]} answered something other than an advisory map`);
    for (const name of names) {
      const found = answer[name];
      if (!Array.isArray(found) || found.length === 0) continue;
      const seen = new Set((out[name] ?? []).map((a) => (a as { id?: unknown }).id));
      out[name] = [...(out[name] ?? []), ...found.filter((a) => !seen.has((a as { id?: unknown }).id))];
    }
  }));
  return out;
}

type QuickTree = { name?: unknown; version?: unknown; requires?: Record<string, unknown>; dependencies?: Record<string, QuickDep> };
type QuickDep = { version?: unknown; requires?: Record<string, unknown>; dependencies?: Record<string, QuickDep>; [k: string]: unknown };

/** The tree with only `keep` names, no `resolved` links (they name this registry), and no project name. */
function prune(tree: QuickTree, keep: Set<string>): QuickTree {
  const walk = (deps: Record<string, QuickDep> | undefined): Record<string, QuickDep> | undefined => {
    if (!isPlainObject(deps)) return undefined;
    const out: Record<string, QuickDep> = {};
    for (const [name, dep] of Object.entries(deps)) {
      if (!keep.has(name) || !isPlainObject(dep)) continue;
      const { resolved: _, dependencies, requires, ...rest } = dep;
      const kept: QuickDep = { ...rest };
      if (isPlainObject(requires)) kept.requires = Object.fromEntries(Object.entries(requires).filter(([n]) => keep.has(n)));
      const inner = walk(dependencies);
      if (inner) kept.dependencies = inner;
      out[name] = kept;
    }
    return out;
  };
  const requires = isPlainObject(tree.requires) ? Object.fromEntries(Object.entries(tree.requires).filter(([n]) => keep.has(n))) : {};
  return { name: 'audited-project', version: '0.0.0', requires, dependencies: walk(tree.dependencies) ?? {} };
}

function namesIn(deps: Record<string, QuickDep> | undefined, into = new Set<string>()): Set<string> {
  if (!isPlainObject(deps)) return into;
  for (const [name, dep] of Object.entries(deps)) {
    into.add(name);
    if (isPlainObject(dep)) namesIn(dep.dependencies, into);
  }
  return into;
}

const EMPTY_QUICK = () => ({ actions: [] as unknown[], advisories: {} as Record<string, unknown>, muted: [] as unknown[], metadata: { vulnerabilities: {} as Record<string, number>, dependencies: 0, devDependencies: 0, optionalDependencies: 0, totalDependencies: 0 } });

/**
 * npm's older quick audit (a whole dependency tree) forwarded like {@link bulkAudit}: private names
 * pruned from the tree (and the project's own name replaced), answers merged.
 * @example
 * await quickAudit(deps, { name: 'app', version: '1.0.0', requires: { lodash: '^4' }, dependencies: { lodash: { version: '4.17.15' } } });
 */
export async function quickAudit(deps: AuditDeps, body: unknown): Promise<ReturnType<typeof EMPTY_QUICK>> {
  if (!isPlainObject(body)) throw new RegistryError('BAD_REQUEST', 'the quick audit request must be a dependency tree object');
  const tree = body as QuickTree;
  const asked = [...namesIn(tree.dependencies)];
  const groups = await groupByUplinks(deps, asked);
  assertAuditable(groups, asked.length, deps);
  const out = EMPTY_QUICK();
  await Promise.all([...groups.values()].map(async ({ chain, names }) => {
    const answer = await ask(deps, chain, QUICK, prune(tree, new Set(names)), names.length) as Partial<ReturnType<typeof EMPTY_QUICK>>;
    if (!isPlainObject(answer)) throw new RegistryError('UPSTREAM_UNAVAILABLE', `the audit could not be done: ${chain[0]} answered something other than an audit report`);
    if (Array.isArray(answer.actions)) out.actions.push(...answer.actions);
    if (Array.isArray(answer.muted)) out.muted.push(...answer.muted);
    if (isPlainObject(answer.advisories)) Object.assign(out.advisories, answer.advisories);
    const meta = answer.metadata;
    if (isPlainObject(meta)) {
      for (const [severity, n] of Object.entries(isPlainObject(meta.vulnerabilities) ? meta.vulnerabilities : {})) {
        if (typeof n === 'number') out.metadata.vulnerabilities[severity] = (out.metadata.vulnerabilities[severity] ?? 0) + n;
      }
      for (const k of ['dependencies', 'devDependencies', 'optionalDependencies', 'totalDependencies'] as const) {
        if (typeof meta[k] === 'number') out.metadata[k] += meta[k];
      }
    }
  }));
  return out;
}
