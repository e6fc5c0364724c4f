import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

/** A separate instance of the module, as a second build of the package in the same app would be. */
const copyOf = (name: string): Promise<typeof import('../src/_fs-lock.ts')> =>
  import(/* @vite-ignore */ `${new URL('../src/_fs-lock.ts', import.meta.url).pathname}?copy=${name}`);

it('two copies of the lock module in one process (ESM and CJS builds) still exclude each other', async () => {
  const a = await copyOf('a');
  const b = await copyOf('b');
  expect(a.withLock).not.toBe(b.withLock);
  const dir = await mkdtemp(join(tmpdir(), 'fw-lock-'));
  try {
    let inside = 0;
    let most = 0;
    const work = async () => {
      most = Math.max(most, ++inside);
      await new Promise((resolve) => setTimeout(resolve, 10));
      inside--;
    };
    const path = join(dir, 'k.lock');
    await Promise.all([a, b, a, b].map((copy) => copy.withLock(path, work)));
    expect(most).toBe(1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
