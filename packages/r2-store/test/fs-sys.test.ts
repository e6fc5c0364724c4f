import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineCallsUnder, isLocal, open, readFile, stat } from '../src/_fs-sys.ts';

describe('fs driver calls on the calling thread', () => {
  let inline: string;
  let pooled: string;
  beforeAll(async () => {
    inline = await mkdtemp(join(tmpdir(), 'fw-sys-inline-'));
    pooled = await mkdtemp(join(tmpdir(), 'fw-sys-pool-'));
    inlineCallsUnder(inline);
    await writeFile(join(inline, 'a'), 'hello');
    await writeFile(join(pooled, 'a'), 'hello');
  });
  afterAll(async () => {
    await rm(inline, { recursive: true, force: true });
    await rm(pooled, { recursive: true, force: true });
  });

  /**
   * Whether `call` settles within a few microtasks: made on the thread. A call through the pool
   * settles only when the event loop polls for its result, never between microtasks.
   */
  async function settlesInThisTurn(call: () => Promise<unknown>): Promise<boolean> {
    let done = false;
    const settled = call().then(() => { done = true; });
    for (let i = 0; i < 20 && !done; i++) await null;
    const inline = done;
    await settled;
    return inline;
  }

  it('judges the temp folder local, and a missing path by its nearest existing folder', () => {
    expect(isLocal(tmpdir())).toBe(true);
    expect(isLocal(join(inline, 'not', 'yet'))).toBe(true);
  });

  it('reads under a folder marked inline within the same turn, and through the pool elsewhere', async () => {
    await new Promise((r) => setImmediate(r)); // a fresh turn, with its budget
    expect(await settlesInThisTurn(() => readFile(join(inline, 'a'), 'utf8'))).toBe(true);
    expect(await settlesInThisTurn(() => stat(join(inline, 'a')))).toBe(true);
    expect(await settlesInThisTurn(async () => { const fh = await open(join(inline, 'a'), 'r'); await fh.stat(); await fh.close(); })).toBe(true);
    expect(await settlesInThisTurn(() => readFile(join(pooled, 'a'), 'utf8'))).toBe(false);
    expect(await readFile(join(pooled, 'a'), 'utf8')).toBe('hello');
  });

  it('yields to the event loop once a turn has used its budget', async () => {
    await new Promise((r) => setImmediate(r));
    let inTurn = 0;
    while (inTurn < 1000 && (await settlesInThisTurn(() => stat(join(inline, 'a'))))) inTurn++;
    expect(inTurn).toBeGreaterThan(100); // many reads on the thread in one turn...
    expect(inTurn).toBeLessThan(1000); // ...then one through the pool, which lets the loop turn
    await new Promise((r) => setImmediate(r));
    expect(await settlesInThisTurn(() => stat(join(inline, 'a')))).toBe(true); // the next turn has a fresh budget
  });

  it('creates files through the pool even under a folder marked inline (a create may wait for the journal)', async () => {
    await new Promise((r) => setImmediate(r));
    expect(await settlesInThisTurn(async () => { const fh = await open(join(inline, 'b'), 'wx'); await fh.close(); })).toBe(false);
  });

  it('gives the errors of node:fs, on the thread as through the pool', async () => {
    for (const dir of [inline, pooled]) {
      await expect(readFile(join(dir, 'missing'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(open(join(dir, 'a'), 'wx')).rejects.toMatchObject({ code: 'EEXIST' });
    }
  });
  it('close waits for a write still running on the pool, as a FileHandle\'s does', async () => {
    const fh = await open(join(inline, 'c'), 'wx');
    const data = new Uint8Array(4 << 20).fill(7);
    const written = fh.write(data);
    await fh.close(); // called while the write runs
    await written;
    expect((await stat(join(inline, 'c'))).size).toBe(data.byteLength);
  });
  it('writes a string as UTF-8 without the caller making its bytes, and says how many bytes it wrote', async () => {
    const fh = await open(join(inline, 'd'), 'wx');
    const text = `{"name":"ünïcödé-😀","pad":"${'x'.repeat(100_000)}"}`;
    expect(await fh.writeText(text)).toBe(Buffer.byteLength(text));
    await fh.close();
    expect(await readFile(join(inline, 'd'), 'utf8')).toBe(text);
  });
});
