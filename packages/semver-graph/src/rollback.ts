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
  from: string | null;
  to: string;
  /** `back` below the current version, `forward` above it, `none` when it already is current. */
  direction: 'back' | 'forward' | 'none';
  moves: TagMove[];
  /** Things worth telling the user: a forced deprecated target, a prerelease target. */
  warnings: string[];
}

/**
 * Plans a rollback of `latest` to `target`: which dist-tags move where. Refuses a version the graph
 * does not have (`VERSION_NOT_FOUND`) and a deprecated one unless `force` (`VERSION_DEPRECATED`).
 * Pure: applying the plan is the registry's job.
 *
 * @example
 * ```ts
 * const plan = planRollback(graph, graph.rollback!);
 * // { from: '4.17.21', to: '4.17.20', direction: 'back',
 * //   moves: [{ tag: 'latest', from: '4.17.21', to: '4.17.20' }], warnings: [] }
 * ```
 */
export function planRollback(graph: VersionGraph, target: string, options: { force?: boolean } = {}): RollbackPlan {
  requireVersion(target);
  const node = graph.nodes.find((n) => n.id === target);
  if (!node) {
    throw new SemverGraphError('VERSION_NOT_FOUND', `${graph.name}@${target} does not exist`, { input: target });
  }
  const warnings: string[] = [];
  if (node.deprecated !== null) {
    if (!options.force) {
      throw new SemverGraphError('VERSION_DEPRECATED', `${graph.name}@${target} is deprecated (${node.deprecated}); force to roll back to it anyway`, { input: target });
    }
    warnings.push(`${target} is deprecated: ${node.deprecated}`);
  }
  if (node.prerelease) warnings.push(`${target} is a prerelease`);
  const from = graph.current;
  const direction = from === null ? 'forward' : from === target ? 'none' : precedence(target, from) < 0 ? 'back' : 'forward';
  const moves: TagMove[] = direction === 'none' ? [] : [{ tag: 'latest', from, to: target }];
  return { name: graph.name, from, to: target, direction, moves, warnings };
}
