import { describe, expect, it } from 'vitest';
import { CliError } from '../src/kit.ts';
import { reportError } from '../src/main.ts';

function report(err: unknown) {
  let text = '';
  const code = reportError(err, (s) => { text += s; });
  return { code, text };
}

describe('reportError', () => {
  it('is exactly one stderr line and never a stack trace, whatever the error', () => {
    const cases: Array<[unknown, number, RegExp]> = [
      [new CliError('unknown format "a\nb"', 2), 2, /^fw: unknown format "a b"\n$/],
      [Object.assign(new Error('bad\n  thing'), { code: 'INVALID_X' }), 1, /^fw: bad thing \[INVALID_X\]\n$/],
      [new TypeError("undefined is not an object (evaluating 'meta.history.find')"), 1, /^fw: unexpected error: TypeError: undefined is not an object/],
      ['a thrown string', 1, /^fw: unexpected error: a thrown string\n$/],
    ];
    for (const [err, code, text] of cases) {
      const r = report(err);
      expect(r.code).toBe(code);
      expect(r.text).toMatch(text);
      expect(r.text.trimEnd().split('\n')).toHaveLength(1);
      expect(r.text).not.toMatch(/\bat .+:\d+:\d+/);
    }
  });
});
