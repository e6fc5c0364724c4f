import { describe, expect, it } from 'vitest';
import { renderHistoryAscii } from '../src/index.ts';

describe('renderHistoryAscii', () => {
  it('draws v3 rotate, v2 update, v1 create, newest first, with date and actor', () => {
    const out = renderHistoryAscii('NPM_TOKEN', [
      { version: 1, action: 'create', date: '2026-01-01T10:00:00.000Z', actor: 'alice' },
      { version: 3, action: 'rotate', date: '2026-03-01T10:00:00.000Z', actor: 'ci', note: 'scheduled\nrotation' },
      { version: 2, action: 'update', date: '2026-02-01T10:00:00.000Z', actor: 'bob' },
    ]);
    expect(out).toBe(
      [
        '🔐 NPM_TOKEN  3 versions',
        '├── v3  rotate  2026-03-01  by ci',
        '│      scheduled rotation',
        '├── v2  update  2026-02-01  by bob',
        '└── v1  create  2026-01-01  by alice',
        '',
      ].join('\n'),
    );
  });

  it('keeps the given order for labels, colours on request, and handles no history', () => {
    const out = renderHistoryAscii('pkg', [{ version: 'b', action: 'tag' }, { version: 'a', action: 'publish', actor: 'x' }], { icon: '📦' });
    expect(out).toBe('📦 pkg  2 versions\n├── b  tag\n└── a  publish  by x\n');
    expect(renderHistoryAscii('k', [{ version: 1, action: 'create' }], { color: true })).toMatch(/\u001b\[32mv1/);
    expect(renderHistoryAscii('k', [])).toBe('🔐 k  0 versions\n└── (no history)\n');
  });

  it('shows a detail after the action and counts events with a unit of its own', () => {
    const out = renderHistoryAscii('my-pkg', [
      { version: '1.2.0', action: 'rollback', detail: '1.3.0 → 1.2.0', date: '2026-03-02T09:00:00.000Z', actor: 'ana', note: 'bad 1.3.0' },
      { version: '1.3.0', action: 'publish', date: '2026-03-01T09:00:00.000Z', actor: 'bob' },
    ], { icon: '📦', unit: ['event', 'events'] });
    expect(out).toBe('📦 my-pkg  2 events\n├── 1.2.0  rollback  1.3.0 → 1.2.0  2026-03-02  by ana\n│      bad 1.3.0\n└── 1.3.0  publish   2026-03-01  by bob\n');
    expect(renderHistoryAscii('p', [{ version: 'x', action: 'tag', detail: `a\u001b[2J → b` }], { unit: ['event', 'events'] })).toBe('🔐 p  1 event\n└── x  tag  a[2J → b\n');
  });

  it('drops control characters from titles, actors, actions, dates and notes', () => {
    const esc = '\u001b';
    const out = renderHistoryAscii(`k${esc}[2J`, [{ version: 1, action: `create${esc}[8m`, date: `soon${esc}c`, actor: `eve${esc}]0;x\u0007`, note: `n${esc}[1A` }]);
    expect(out).toBe('🔐 k[2J  1 version\n└── v1  create[8m  soonc  by eve]0;x\n       n[1A\n');
  });
});
