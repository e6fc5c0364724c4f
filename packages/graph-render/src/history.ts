import { oneLine, painter, printable, shortDate } from './_text.ts';
import type { HistoryEntry } from './types.ts';

/** Options of {@link renderHistoryAscii}. */
export interface HistoryOptions {
  /** ANSI colour (default false). */
  color?: boolean;
  /** Shown before the title; default 🔐. */
  icon?: string;
  /** What the header counts, singular and plural; default `['version', 'versions']`. */
  unit?: readonly [string, string];
}

/**
 * The history tree of a versioned thing (a secret's versions, a package's events): a title, then
 * one entry per event, newest first (entries with numeric versions are sorted; others keep their
 * order), each with its action, an optional detail (`1.3.0 → 1.2.0`), date and actor, and a note
 * (a reason) on the line below.
 *
 * @example
 * ```ts
 * renderHistoryAscii('secrets/NPM_TOKEN', [
 *   { version: 1, action: 'create', date: '2026-01-01T10:00:00Z', actor: 'alice' },
 *   { version: 2, action: 'update', date: '2026-02-01T10:00:00Z', actor: 'bob' },
 *   { version: 3, action: 'rotate', date: '2026-03-01T10:00:00Z', actor: 'ci' },
 * ]);
 * // 🔐 secrets/NPM_TOKEN  3 versions
 * // ├── v3  rotate  2026-03-01  by ci
 * // ├── v2  update  2026-02-01  by bob
 * // └── v1  create  2026-01-01  by alice
 *
 * renderHistoryAscii('my-pkg', [
 *   { version: '1.2.0', action: 'rollback', detail: '1.3.0 → 1.2.0', date: '2026-03-02T09:00:00Z', actor: 'ana', note: 'bad 1.3.0' },
 * ], { icon: '📦', unit: ['event', 'events'] });
 * // 📦 my-pkg  1 event
 * // └── 1.2.0  rollback  1.3.0 → 1.2.0  2026-03-02  by ana
 * //        bad 1.3.0
 * ```
 */
export function renderHistoryAscii(title: string, entries: readonly HistoryEntry[], options: HistoryOptions = {}): string {
  const paint = painter(options.color);
  const ordered = entries.every((e) => typeof e.version === 'number')
    ? [...entries].sort((a, b) => (b.version as number) - (a.version as number))
    : [...entries];
  const unit = options.unit ?? ['version', 'versions'];
  const count = `${entries.length} ${entries.length === 1 ? unit[0] : unit[1]}`;
  const lines = [`${paint('bold', `${options.icon ?? '🔐'} ${printable(title)}`)}  ${paint('dim', count)}`];
  const width = Math.max(0, ...ordered.map((e) => printable(e.action).length));
  ordered.forEach((e, i) => {
    const last = i === ordered.length - 1;
    const label = typeof e.version === 'number' ? `v${e.version}` : printable(e.version);
    const action = printable(e.action).padEnd(width);
    const tail = [shortDate(e.date), e.actor ? `by ${printable(e.actor)}` : ''].filter(Boolean).join('  ');
    const detail = e.detail ? `${paint('magenta', oneLine(e.detail, 80))}  ` : '';
    lines.push(`${last ? '└── ' : '├── '}${paint(i === 0 ? 'green' : 'bold', label)}  ${paint('cyan', action)}  ${detail}${paint('dim', tail)}`.trimEnd());
    if (e.note) lines.push(`${last ? '    ' : '│   '}   ${paint('dim', oneLine(e.note, 100))}`);
  });
  if (ordered.length === 0) lines.push(`└── ${paint('dim', '(no history)')}`);
  return `${lines.join('\n')}\n`;
}
