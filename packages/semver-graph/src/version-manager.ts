import { compareVersions, sortVersions } from './compare.ts';
import { fetchPackument, type FetchPackumentOptions } from './fetch-packument.ts';
import { buildVersionGraph } from './graph.ts';
import { parseVersion } from './parse.ts';
import { recommendVersion } from './recommend.ts';
import { SemverGraphError } from './errors.ts';
import { graphFromD3, graphSearch, jsonOf, namePath, registryFetch, type RegistryHistoryEvent, type RegistryRollbackResult } from './_registry.ts';
import { planRollback, type RollbackOptions, type RollbackPlan } from './rollback.ts';
import type { BumpType, GraphOptions, Packument, ParsedVersion, Recommendation, VersionGraph } from './types.ts';

/** Options of {@link VersionManager.rollback}. */
export interface RollbackRequest extends RollbackOptions {
  /** Why: recorded in the rollback event (at most 500 characters). */
  reason?: string;
  /** Plan only: change nothing. */
  dryRun?: boolean;
}

/** What {@link VersionManager.rollback} did. */
export interface RollbackOutcome {
  plan: RollbackPlan;
  /** False for a dry run and when the tag already pointed at the version. */
  changed: boolean;
  dryRun: boolean;
  /** The graph the plan was made on. */
  before: VersionGraph;
  /** The graph after the move (null for a dry run). */
  after: VersionGraph | null;
  /** The registry's answer (null for a dry run). */
  result: RegistryRollbackResult | null;
}

/** Options of {@link VersionManager.history}. */
export interface HistoryRequest {
  /** The newest N events. */
  limit?: number;
  /** Only events of these types (`rollback`, `publish`, `tag`, `untag`, `deprecate`, `unpublish`). */
  type?: readonly string[];
}

/** A package's history as the registry serves it: events newest first. */
export interface RegistryHistory {
  name: string;
  events: RegistryHistoryEvent[];
}

/**
 * Every operation of the package in one object; the same as the plain functions, plus the registry
 * operations (REGISTRY_URL, default http://127.0.0.1:4873, through an injectable fetch and token):
 * {@link VersionManager.buildVersionGraph} from the packument, {@link VersionManager.graph} and
 * {@link VersionManager.fetchGraph} from the registry's graph route, {@link VersionManager.rollback}
 * and {@link VersionManager.history}.
 *
 * @example
 * ```ts
 * const versions = new VersionManager({ registryUrl: 'http://127.0.0.1:4873' });
 * versions.recommend('1.2.3', 'minor').next;        // '1.3.0'
 * const graph = await versions.buildVersionGraph('lodash', { limit: 10 });
 * const plan = versions.planRollback(graph, graph.rollback!);
 * const done = await new VersionManager({ token: process.env.FW_TOKEN }).rollback('my-pkg', '1.2.0', { reason: 'bad 1.3.0' });
 * done.after?.current; // '1.2.0'
 * ```
 */
export class VersionManager {
  readonly #options: FetchPackumentOptions;

  constructor(options: FetchPackumentOptions = {}) {
    this.#options = { ...options };
  }

  /** See {@link parseVersion}. */
  parse(version: string): ParsedVersion {
    return parseVersion(version);
  }

  /** See {@link compareVersions}. */
  compare(a: string, b: string): -1 | 0 | 1 {
    return compareVersions(a, b);
  }

  /** See {@link recommendVersion}. */
  recommend(current: string, bump: BumpType | string, preid?: string): Recommendation {
    return recommendVersion(current, bump, preid);
  }

  /** See {@link sortVersions}. */
  sort(versions: readonly string[], options?: { descending?: boolean }): string[] {
    return sortVersions(versions, options);
  }

  /** Fetches the packument of `name` from the registry. */
  fetchPackument(name: string): Promise<Packument> {
    return fetchPackument(name, this.#options);
  }

  /** Fetches the packument of `name` and builds its graph (see the plain {@link buildVersionGraph}). */
  async buildVersionGraph(name: string, options?: GraphOptions): Promise<VersionGraph> {
    return buildVersionGraph(await this.fetchPackument(name), options);
  }

  /** The pure builder, from a packument already at hand. */
  graphFromPackument(packument: Packument, options?: GraphOptions): VersionGraph {
    return buildVersionGraph(packument, options);
  }

  /** See {@link planRollback}. */
  planRollback(graph: VersionGraph, target: string, options?: { force?: boolean }): RollbackPlan {
    return planRollback(graph, target, options);
  }

  /**
   * The registry's own rendering of the graph (`GET /-/fw/graph/:pkg?format=`: `json`, `ascii`,
   * `mermaid`, or any format the registry offers), or null when the registry has no graph route.
   */
  async fetchGraph(name: string, options: GraphOptions & { format?: string; color?: boolean } = {}): Promise<string | null> {
    const res = await registryFetch(this.#options, `/-/fw/graph/${namePath(name)}?${graphSearch(options.format ?? 'json', options)}`, { accept: '*/*', missingOk: true, name });
    return res ? res.text() : null;
  }

  /**
   * The version graph as the registry sees it (its graph route, which knows the version a rollback
   * replaced), else built from the packument for a registry without that route.
   */
  async graph(name: string, options: GraphOptions = {}): Promise<VersionGraph> {
    const res = await registryFetch(this.#options, `/-/fw/graph/${namePath(name)}?${graphSearch('json', options)}`, { missingOk: true, name });
    if (!res) return this.buildVersionGraph(name, options);
    return graphFromD3(await jsonOf(res, `a graph for ${name}`), name);
  }

  /**
   * Moves a dist-tag (`latest` by default) back or forward to `version`: plans on the current graph
   * (VERSION_NOT_FOUND naming the nearest versions, VERSION_DEPRECATED without `force`), then asks the
   * registry to move the tag only if it still points where the plan saw it (CONFLICT otherwise).
   * The registry's refusals keep its message: FORBIDDEN without the publish right, UNAUTHORIZED
   * without credentials. `dryRun` stops after the plan.
   */
  async rollback(name: string, version: string, options: RollbackRequest = {}): Promise<RollbackOutcome> {
    const before = await this.graph(name);
    const plan = planRollback(before, version, options);
    if (options.dryRun) return { plan, changed: false, dryRun: true, before, after: null, result: null };
    const res = await registryFetch(this.#options, '/-/fw/rollback', {
      method: 'POST',
      body: {
        package: name, version, tag: plan.tag, from: plan.from,
        ...(options.force ? { force: true } : {}), ...(options.reason ? { reason: options.reason } : {}),
      },
      missingOk: true,
      name,
    });
    if (!res) throw new SemverGraphError('FETCH_FAILED', `the registry has no rollback route (POST /-/fw/rollback): is it a FactoryWager registry?`, { input: name });
    const result = await jsonOf<RegistryRollbackResult>(res, 'a rollback answer');
    const after = result.changed ? await this.graph(name) : before;
    return { plan, changed: result.changed === true, dryRun: false, before, after, result };
  }

  /** The package's history from the registry, newest first, filtered by type and cut to `limit`. */
  async history(name: string, options: HistoryRequest = {}): Promise<RegistryHistory> {
    const q = new URLSearchParams({ package: name });
    if (options.limit !== undefined) q.set('limit', String(options.limit));
    if (options.type?.length) q.set('type', options.type.join(','));
    namePath(name);
    const res = await registryFetch(this.#options, `/-/fw/history?${q}`, { name });
    const body = await jsonOf<RegistryHistory>(res!, `history for ${name}`);
    if (!body || !Array.isArray(body.events)) throw new SemverGraphError('FETCH_FAILED', `the registry sent invalid history for ${name}`, { input: name });
    return body;
  }
}
