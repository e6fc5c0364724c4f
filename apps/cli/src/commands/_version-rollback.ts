import { renderAscii, renderHistoryAscii, toD3Json, type HistoryEntry } from '@factorywager/graph-render';
import { isSemverGraphError, type RegistryHistoryEvent, type RollbackOutcome, type VersionGraph } from '@factorywager/semver-graph';
import { CliError, type Area, type Context } from '../kit.ts';
import { versionManager } from './_version-registry.ts';

const EVENT_TYPES = ['publish', 'tag', 'untag', 'deprecate', 'unpublish', 'rollback'];
const SHOWN = 20;

function positive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new CliError(`${flag} must be a positive whole number, not "${value}"`, 2);
  return Number(value);
}

const paint = (ctx: Context, code: number, text: string) => (ctx.color ? `\u001b[${code}m${text}\u001b[0m` : text);

function summary(ctx: Context, o: RollbackOutcome, graph: (g: VersionGraph) => string): string {
  const { plan } = o;
  const move = `${plan.tag} of ${plan.name}: ${plan.from ?? '(unset)'} → ${plan.to}${plan.direction === 'none' ? '' : ` (${plan.direction})`}`;
  const lines = [graph(o.before)];
  if (o.dryRun) {
    lines.push(plan.moves.length ? `(dry run) would move ${move}; nothing changed` : `(dry run) ${plan.tag} of ${plan.name} is already ${plan.to}; nothing to do`);
    return lines.join('\n');
  }
  if (!o.changed) {
    lines.push(`${plan.tag} of ${plan.name} is already ${plan.to}: nothing changed`);
    return lines.join('\n');
  }
  const after = o.after!;
  lines.push('', graph(after));
  const r = o.result!;
  const ready = plan.tag === 'latest' && after.rollback ? `; Rollback Ready: ${after.rollback}` : '';
  lines.push(paint(ctx, 32, `✔ moved ${plan.tag} of ${plan.name}: ${r.from ?? '(unset)'} → ${r.to}${ready}`));
  return lines.join('\n');
}

function entryOf(e: RegistryHistoryEvent): HistoryEntry {
  const moved = e.type === 'rollback' || e.type === 'tag' || e.type === 'untag';
  const from = e.from !== undefined ? e.from : (e.before as string | null | undefined);
  const to = e.to !== undefined ? e.to : (e.after as string | null | undefined);
  const detail = moved ? `${e.tag ?? ''} ${typeof from === 'string' ? from : '∅'} → ${typeof to === 'string' ? to : '∅'}`.trim() : null;
  const note = e.type === 'rollback' ? e.reason ?? null : e.type === 'deprecate' ? (typeof e.after === 'string' ? `deprecated: ${e.after}` : 'undeprecated') : null;
  return { version: e.version ?? e.to ?? '*', action: e.type, detail, date: e.time, actor: e.actor, note };
}

/** `fw version rollback` and `fw version history`: the registry's one-command rollback and its record. */
export const rollbackCommands: Area = {
  rollback: {
    summary: 'move latest (or --tag) back or forward to a version, with a reason; prints the graph before and after',
    usage: '<pkg> <version> [--tag latest] [--reason "..."] [--dry-run] [--force] [--limit n] [--registry url]',
    args: [2, 2],
    options: {
      tag: { type: 'string' },
      reason: { type: 'string' },
      'dry-run': { type: 'boolean' },
      force: { type: 'boolean' },
      limit: { type: 'string' },
      registry: { type: 'string' },
    },
    async run(ctx) {
      const [pkg, version] = ctx.positionals as [string, string];
      const shown = positive(ctx.values.limit as string | undefined, '--limit') ?? SHOWN;
      const reason = ctx.values.reason as string | undefined;
      if (reason !== undefined && [...reason].length > 500) throw new CliError('--reason must be at most 500 characters', 2);
      let outcome: RollbackOutcome;
      try {
        outcome = await versionManager(ctx).rollback(pkg, version, {
          ...(ctx.values.tag !== undefined ? { tag: ctx.values.tag as string } : {}),
          ...(reason !== undefined ? { reason } : {}),
          force: ctx.values.force === true,
          dryRun: ctx.values['dry-run'] === true,
        });
      } catch (err) {
        if (isSemverGraphError(err, 'VERSION_DEPRECATED')) throw new CliError(err.message.replace(/; force to roll back to it anyway$/, '; add --force to roll back to it anyway'));
        if (isSemverGraphError(err, 'CONFLICT')) throw new CliError(`${err.message} (someone moved it while this ran; run the command again)`);
        throw err;
      }
      if (ctx.json) {
        ctx.out(JSON.stringify({
          plan: outcome.plan, changed: outcome.changed, dryRun: outcome.dryRun, event: outcome.result?.event ?? null,
          before: toD3Json(outcome.before), after: outcome.after ? toD3Json(outcome.after) : null,
        }, null, 2));
        return;
      }
      // warnings (a deprecated target taken with --force) go to stderr, like every other command's
      for (const w of outcome.plan.warnings) ctx.err(`fw: warning: ${w}`);
      ctx.out(summary(ctx, outcome, (g) => renderAscii(g, { color: ctx.color, limit: shown }).trimEnd()));
    },
  },

  history: {
    summary: 'the event log of a package, newest first: publish, tag, untag, deprecate, unpublish, rollback (who, when, why)',
    usage: '<pkg> [--limit n] [--type rollback,publish,...] [--registry url]',
    args: [1, 1],
    options: { limit: { type: 'string' }, type: { type: 'string' }, registry: { type: 'string' } },
    async run(ctx) {
      const pkg = ctx.positionals[0]!;
      const limit = positive(ctx.values.limit as string | undefined, '--limit');
      const types = ((ctx.values.type as string | undefined) ?? '').split(',').map((t) => t.trim()).filter(Boolean);
      const unknown = types.find((t) => !EVENT_TYPES.includes(t));
      if (unknown !== undefined) throw new CliError(`unknown event type "${unknown}" for --type (try: ${EVENT_TYPES.join(', ')})`, 2);
      const history = await versionManager(ctx).history(pkg, { ...(limit ? { limit } : {}), type: types });
      if (ctx.json) {
        ctx.out(JSON.stringify(history, null, 2));
        return;
      }
      ctx.out(renderHistoryAscii(pkg, history.events.map(entryOf), { color: ctx.color, icon: '📦', unit: ['event', 'events'] }));
    },
  },
};
