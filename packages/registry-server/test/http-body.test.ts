import { describe, expect, it } from 'vitest';
import { collect } from '../src/_http.ts';

const streamOf = (...chunks: number[][]) => new ReadableStream<Uint8Array>({
  start(c) {
    for (const x of chunks) c.enqueue(new Uint8Array(x));
    c.close();
  },
});

describe('collect', () => {
  it('fills one buffer of the announced size, and copes with fewer or more bytes than announced', async () => {
    expect([...(await collect(streamOf([1, 2], [3]), 10, 'body', 3))]).toEqual([1, 2, 3]);
    expect([...(await collect(streamOf([1, 2]), 10, 'body', 5))]).toEqual([1, 2]);
    expect([...(await collect(streamOf([1, 2], [3, 4], [5]), 10, 'body', 3))]).toEqual([1, 2, 3, 4, 5]);
    expect([...(await collect(streamOf([1], [2]), 10))]).toEqual([1, 2]);
  });
  it('fails with TOO_LARGE past the limit, announced or not', async () => {
    await expect(collect(streamOf([1, 2], [3, 4]), 3, 'body', 2)).rejects.toMatchObject({ code: 'TOO_LARGE' });
    await expect(collect(streamOf([1, 2], [3, 4]), 3)).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });
});
