import { describe, expect, it } from 'vitest';
import { renderAscii } from '../src/index.ts';
import { SMALL } from './_graphs.ts';

describe('renderAscii', () => {
  it('draws the tree: header, one entry per version newest first, badges, tags, date, publisher', () => {
    expect(renderAscii(SMALL)).toBe(
      [
        '📦 demo  current 2.1.0 · newest 3.0.0-beta.0 · 6 versions',
        '├── 3.0.0-beta.0  [Rollback Ready]  ‹next›  2024-05-01 by alice',
        '├── 2.1.0  [Current]  ‹latest›  2024-04-01 by alice',
        '├── 2.0.1  [Deprecated]  2024-03-05 by bob',
        '│      ⚠ broken build, use 2.1.0',
        '├── 2.0.0  [Rollback Ready]  2024-03-01',
        '├── 1.1.0  [Archived]  by carol',
        '└── 1.0.0  [Archived]  2024-01-01 by carol',
        '',
      ].join('\n'),
    );
  });

  it('folds the rest into "... N older versions" under a limit, or when total exceeds the nodes', () => {
    const out = renderAscii(SMALL, { limit: 2 });
    expect(out.trimEnd().split('\n').slice(-3)).toEqual([
      '├── 3.0.0-beta.0  [Rollback Ready]  ‹next›  2024-05-01 by alice',
      '├── 2.1.0  [Current]  ‹latest›  2024-04-01 by alice',
      '└── ... 4 older versions',
    ]);
    const partial = renderAscii({ ...SMALL, total: 7 });
    expect(partial.trimEnd().split('\n').at(-1)).toBe('└── ... 1 older version');
    expect(partial).toContain('├── 1.0.0  [Archived]');
  });

  it('colours only when asked', () => {
    expect(renderAscii(SMALL)).not.toMatch(/\u001b\[/);
    const coloured = renderAscii(SMALL, { color: true });
    expect(coloured).toMatch(/\u001b\[32m\u001b\[1m\[Current\]/);
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(renderAscii(SMALL));
  });

  it('drops control characters from packument text, so a deprecation message or tag cannot drive the terminal', () => {
    const esc = '\u001b';
    const nodes = SMALL.nodes.map((n) => n.id === '2.0.1'
      ? { ...n, deprecated: `use 2.1.0${esc}[2J${esc}]0;pwned\u0007`, publisher: `bob${esc}[8m`, tags: [`x${esc}[31m`] }
      : n);
    const out = renderAscii({ ...SMALL, name: `demo${esc}[1A`, nodes });
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(out).toContain('├── 2.0.1  [Deprecated]  ‹x[31m›  2024-03-05 by bob[8m');
    expect(out).toContain('⚠ use 2.1.0[2J]0;pwned');
    const coloured = renderAscii({ ...SMALL, nodes }, { color: true });
    expect(coloured.replace(/\u001b\[\d+m/g, '')).not.toContain(esc);
  });

  it('renders an empty graph and hides messages on request', () => {
    expect(renderAscii({ name: 'x', nodes: [], links: [] })).toBe('📦 x  no latest tag · 0 versions\n└── (no versions)\n');
    expect(renderAscii(SMALL, { messages: false })).not.toContain('⚠');
  });
});
