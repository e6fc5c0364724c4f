import { compareVersions, sortVersions } from './compare.ts';
import { fetchPackument, type FetchPackumentOptions } from './fetch-packument.ts';
import { buildVersionGraph } from './graph.ts';
import { parseVersion } from './parse.ts';
import { recommendVersion } from './recommend.ts';
import { planRollback, type RollbackPlan } from './rollback.ts';
import type { BumpType, GraphOptions, Packument, ParsedVersion, Recommendation, VersionGraph } from './types.ts';

/**
 * Every operation of the package in one object; the same as the plain functions, plus
 * {@link VersionManager.buildVersionGraph} which fetches the packument from a registry
 * (REGISTRY_URL, default http://127.0.0.1:4873) through an injectable fetch.
 *
 * @example
 * ```ts
 * const versions = new VersionManager({ registryUrl: 'http://127.0.0.1:4873' });
 * versions.recommend('1.2.3', 'minor').next;        // '1.3.0'
 * const graph = await versions.buildVersionGraph('lodash', { limit: 10 });
 * const plan = versions.planRollback(graph, graph.rollback!);
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
}
