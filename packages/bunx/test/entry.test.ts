import { describe, expect, it } from 'vitest';
import { readCapped } from '../src/_entry.ts';

describe('readCapped', () => {
  const body = (chunks: number[]) => new ReadableStream<Uint8Array>({
    start(c) {
      for (const n of chunks) c.enqueue(new Uint8Array(n).fill(7));
      c.close();
    },
  });
  it('returns the whole body under the cap', async () => {
    const out = await readCapped(new Response(body([3, 4])), 10, 'p@1');
    expect([...out]).toEqual(new Array(7).fill(7));
  });
  it('refuses a body that grows past the cap, and one whose content-length says it will', async () => {
    await expect(readCapped(new Response(body([6, 6])), 10, 'p@1')).rejects.toMatchObject({ code: 'UNSAFE_TARBALL', message: 'p@1: the tarball is larger than 10 bytes; refusing it' });
    await expect(readCapped(new Response('x', { headers: { 'content-length': '11' } }), 10, 'p@1')).rejects.toMatchObject({ code: 'UNSAFE_TARBALL' });
  });
});
