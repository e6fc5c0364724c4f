import { describe, expect, it } from 'vitest';
import { formatBytes, progressBar } from '../src/progress.ts';

const sink = (isTTY: boolean) => {
  const writes: string[] = [];
  return { isTTY, writes, write: (s: string) => { writes.push(s); return true; } };
};

describe('progressBar', () => {
  it('on a terminal: one line redrawn in place with objects and bytes, ended by a newline', () => {
    const s = sink(true);
    const bar = progressBar(s);
    bar.update({ label: 'tarballs', done: 0, total: 4, bytesDone: 0, bytesTotal: 4096 });
    bar.update({ label: 'tarballs', done: 4, total: 4, bytesDone: 4096, bytesTotal: 4096 });
    bar.done();
    expect(s.writes[0]).toBe('\r\x1b[2K[........................]   0% tarballs 0/4 objects, 0 B/4.0 kB');
    expect(s.writes[1]).toBe('\r\x1b[2K[########################] 100% tarballs 4/4 objects, 4.0 kB/4.0 kB');
    expect(s.writes.at(-1)).toBe('\n');
  });
  it('not on a terminal: plain lines, one per tenth of the work, no escape codes', () => {
    const s = sink(false);
    const bar = progressBar(s);
    for (let i = 0; i <= 100; i++) bar.update({ label: 'files', done: i, total: 100 });
    bar.done();
    expect(s.writes).toHaveLength(11);
    expect(s.writes[10]).toBe('100% files 100/100 objects\n');
    expect(s.writes.join('')).not.toContain('\x1b');
  });
  it('formats bytes', () => {
    expect([formatBytes(10), formatBytes(2048), formatBytes(5 * 1024 ** 2), formatBytes(3 * 1024 ** 3)]).toEqual(['10 B', '2.0 kB', '5.0 MB', '3.00 GB']);
  });
});
