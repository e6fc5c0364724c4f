import semver from 'semver';
import { precedence } from './_order.ts';
import { SemverGraphError } from './errors.ts';
import { requireVersion } from './parse.ts';
import type { VersionGraph } from './types.ts';

/** One dist-tag change of a {@link RollbackPlan}. */
export interface TagMove {
  tag: string;
  /** Where the tag points now (null when it does not exist yet). */
  from: string | null;
  to: string;
}

/** What {@link planRollback} decided. */
export interface RollbackPlan {
  name: string;
  /** The dist-tag that moves (`latest` unless asked otherwise). */
  tag: string;
  from: string | null;
  to: string;
  /** `back` below the version the tag points at, `forward` above it, `none` when it already points there. */
  direction: 'back' | 'forward' | 'none';
  moves: TagMove[];
  /** Things worth telling the user: a forced deprecated target, a prerelease target. */
  warnings: string[];
}

/** Options of {@link planRollback}. */
export interface RollbackOptions {
  /** Allow a deprecated target. */
  force?: boolean;
  /** The dist-tag to move; default `latest`. */
  tag?: string;
}

/**
 * Plans moving a dist-tag (`latest` by default) to `target`, back or forward: which tags move where.
 * Refuses a version the graph does not have (`VERSION_NOT_FOUND`, naming the nearest versions it
 * has) and a deprecated one unless `force` (`VERSION_DEPRECATED`). Pure: applying the plan is the
 * registry's job. Give it a graph built without `limit`, or versions outside it count as missing.
 *
 * @example
 * ```ts
 * const plan = planRollback(graph, graph.rollback!);
 * // { name: 'lodash', tag: 'latest', from: '4.17.21', to: '4.17.20', direction: 'back',
 * //   moves: [{ tag: 'latest', from: '4.17.21', to: '4.17.20' }], warnings: [] }
 * planRollback(graph, '4.17.99'); // throws VERSION_NOT_FOUND: lodash@4.17.99 does not exist (nearest: 4.17.21)
 * ```
 */
export function planRollback(graph: VersionGraph, target: string, options: RollbackOptions = {}): RollbackPlan {
  requireVersion(target);
  const tag = options.tag ?? 'latest';
  const node = graph.nodes.find((n) => n.id === target);
  if (!node) {
    const near = nearestVersions(graph.nodes.map((n) => n.id), target);
    const hint = near.length ? `nearest: ${near.join(', ')}` : 'it has no versions';
    throw new SemverGraphError('VERSION_NOT_FOUND', `${graph.name}@${target} does not exist (${hint})`, { input: target });
  }
  const warnings: string[] = [];
  if (node.deprecated !== null) {
    if (!options.force) {
      throw new SemverGraphError('VERSION_DEPRECATED', `${graph.name}@${target} is deprecated (${node.deprecated}); force to roll back to it anyway`, { input: target });
    }
    warnings.push(`${target} is deprecated: ${node.deprecated}`);
  }
  if (node.prerelease) warnings.push(`${target} is a prerelease`);
  const from = tag === 'latest' ? graph.current : Object.hasOwn(graph.distTags, tag) ? graph.distTags[tag]! : null;
  const direction = from === null ? 'forward' : from === target ? 'none' : order(target, from) < 0 ? 'back' : 'forward';
  const moves: TagMove[] = direction === 'none' ? [] : [{ tag, from, to: target }];
  return { name: graph.name, tag, from, to: target, direction, moves, warnings };
}

const parse = (v: string) => semver.parse(v) ?? semver.parse(v, { loose: true });

function order(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  return pa && pb ? precedence(pa.version, pb.version) : a < b ? -1 : 1;
}

/**
 * The versions next to `target` by semver precedence: the highest one below it and the lowest one
 * above it (one or both, as they exist).
 *
 * @example
 * ```ts
 * nearestVersions(['1.0.0', '1.2.0', '1.3.0'], '1.2.5'); // ['1.2.0', '1.3.0']
 * ```
 */
export function nearestVersions(versions: readonly string[], target: string): string[] {
  const at = parse(target);
  if (!at) return [];
  let below: { id: string; v: semver.SemVer } | null = null;
  let above: { id: string; v: semver.SemVer } | null = null;
  for (const id of versions) {
    const v = parse(id);
    if (!v) continue;
    const c = v.compare(at);
    if (c < 0 && (!below || v.compare(below.v) > 0)) below = { id, v };
    if (c > 0 && (!above || v.compare(above.v) < 0)) above = { id, v };
  }
  return [below?.id, above?.id].filter((id): id is string => id !== undefined);
}
