import { oneLine, painter, printable, shortDate } from './_text.ts';
import type { HistoryEntry } from './types.ts';

/**
 * The history tree of a versioned thing (a secret's versions, a package's events): a title, then
 * one entry per event, newest first (entries with numeric versions are sorted; others keep their
 * order), each with its action, date and actor.
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
 * ```
 */
export function renderHistoryAscii(title: string, entries: readonly HistoryEntry[], options: { color?: boolean; icon?: string } = {}): string {
  const paint = painter(options.color);
  const ordered = entries.every((e) => typeof e.version === 'number')
    ? [...entries].sort((a, b) => (b.version as number) - (a.version as number))
    : [...entries];
  const count = `${entries.length} version${entries.length === 1 ? '' : 's'}`;
  const lines = [`${paint('bold', `${options.icon ?? '🔐'} ${printable(title)}`)}  ${paint('dim', count)}`];
  const width = Math.max(0, ...ordered.map((e) => printable(e.action).length));
  ordered.forEach((e, i) => {
    const last = i === ordered.length - 1;
    const label = typeof e.version === 'number' ? `v${e.version}` : printable(e.version);
    const action = printable(e.action).padEnd(width);
    const tail = [shortDate(e.date), e.actor ? `by ${printable(e.actor)}` : ''].filter(Boolean).join('  ');
    lines.push(`${last ? '└── ' : '├── '}${paint(i === 0 ? 'green' : 'bold', label)}  ${paint('cyan', action)}  ${paint('dim', tail)}`.trimEnd());
    if (e.note) lines.push(`${last ? '    ' : '│   '}   ${paint('dim', oneLine(e.note, 100))}`);
  });
  if (ordered.length === 0) lines.push(`└── ${paint('dim', '(no history)')}`);
  return `${lines.join('\n')}\n`;
}
