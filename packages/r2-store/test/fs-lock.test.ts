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

it('answers with the holder\'s outcome before its lock file is removed; the next holder in this process and locksReleased wait for the removal', async () => {
  const { withLock, locksReleased } = await import('../src/_fs-lock.ts');
  const { readFile, readdir } = await import('node:fs/promises');
  const dir = await mkdtemp(join(tmpdir(), 'fw-lock-'));
  try {
    const path = join(dir, 'k.lock');
    const first = await withLock(path, async () => (await readFile(path, 'utf8')).split(' ')[2]);
    // the next holder's lock is its own, taken after the first one's removal (not a leftover it broke)
    const [second, failed] = await Promise.all([
      withLock(path, async () => (await readFile(path, 'utf8')).split(' ')[2]),
      withLock(path, async () => { throw new Error('refused'); }).catch((err: Error) => err.message),
    ]);
    expect(second).not.toBe(first);
    expect(failed).toBe('refused');
    await locksReleased(dir);
    expect((await readdir(dir)).filter((n) => n.endsWith('.lock') || n.endsWith('.new'))).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
