import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '@factorywager/r2-store';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];

async function tempRoot(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fw-store-proc-'));
  dirs.push(dir);
  return dir;
}

function run(script: string, args: string[]): ChildProcess {
  const child = spawn('bun', ['--conditions=source', join(fixtures, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

/** Resolves when the child's stdout has printed `lines` lines. */
function linesSeen(child: ChildProcess, lines: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString().split('\n').length - 1;
      if (seen >= lines) resolve();
    });
    child.on('close', (code) => reject(new Error(`writer exited early with ${code}`)));
  });
}

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('fs driver across processes', () => {
  it('4 processes x 2 writers x 50 updateJson increments end at exactly 400', async () => {
    const root = await tempRoot();
    const results = await Promise.all(Array.from({ length: 4 }, () => exited(run('counter-worker.ts', [root, 'race/counter.json', '2', '50']))));
    for (const r of results) expect(r.code, r.err).toBe(0);
    const store = createStore({ driver: 'fs', root });
    expect(await store.getJson('race/counter.json')).toEqual({ n: 400 });
    const conflicts = results.reduce((n, r) => n + JSON.parse(r.out).conflicts, 0);
    expect(conflicts).toBeGreaterThan(0);
  });

  it('a writer killed with SIGKILL mid-writes leaves every object old or new, parseable, and no temp litter in list', async () => {
    const root = await tempRoot();
    const count = 12;
    const store = createStore({ driver: 'fs', root });
    for (let i = 0; i < count; i++) await store.putJson(`crash/obj-${i}.json`, { round: 0, pad: 'x'.repeat(200_000) });
    const writer = run('crash-writer.ts', [root, String(count)]);
    const done = exited(writer);
    await linesSeen(writer, 3);
    writer.kill('SIGKILL');
    expect((await done).code).toBeNull();

    const listed = await store.list({ prefix: '' });
    expect(listed.keys).toEqual(Array.from({ length: count }, (_, i) => `crash/obj-${i}.json`).sort());
    expect(listed.prefixes).toEqual([]);
    for (const key of listed.keys) {
      const v = await store.getJson<{ round: number; pad: string }>(key);
      expect(v!.round).toBeGreaterThanOrEqual(3); // "round 3" was printed: all three rounds were committed
      expect(v!.pad.length).toBe(200_000);
    }
    // locks the killed writer held are recovered: every key takes a conditional update right away,
    // and a new driver sweeps the temp files the killed writer left behind
    const fresh = createStore({ driver: 'fs', root });
    for (const key of listed.keys) {
      const r = await fresh.updateJson<{ round: number }>(key, (cur) => ({ ...cur!, round: -1 }), { retries: 3 });
      expect(r.written).toBe(true);
    }
    const litter = (await readdir(join(root, '.fw-store', 'tmp'))).filter((f) => f.startsWith(`${writer.pid}-`));
    expect(litter).toEqual([]);
  });

  it('recovers a lock file left by a dead process', async () => {
    const root = await tempRoot();
    const store = createStore({ driver: 'fs', root });
    await store.putJson('locked.json', { v: 1 });
    const dead = spawn('bun', ['-e', '0']);
    await new Promise((resolve) => dead.on('close', resolve));
    const { createHash } = await import('node:crypto');
    const lockDir = join(root, '.fw-store', 'locks');
    await mkdir(lockDir, { recursive: true });
    await writeFile(join(lockDir, `${createHash('sha256').update('locked.json').digest('hex')}.lock`), `${dead.pid} ${Date.now()} stale ${hostname()}`);
    await store.updateJson<{ v: number }>('locked.json', (cur) => ({ v: cur!.v + 1 }));
    expect(await store.getJson('locked.json')).toEqual({ v: 2 });
    expect(await readdir(lockDir)).toEqual([]);
  });

  it('recovers a lock whose breaker file, or the lock itself, was left empty or cut short by a killed process', async () => {
    const root = await tempRoot();
    const store = createStore({ driver: 'fs', root });
    await store.putJson('a.json', { v: 1 });
    await store.putJson('b.json', { v: 1 });
    const dead = spawn('bun', ['-e', '0']);
    await new Promise((resolve) => dead.on('close', resolve));
    const { createHash } = await import('node:crypto');
    const lockDir = join(root, '.fw-store', 'locks');
    const lockOf = (key: string) => join(lockDir, `${createHash('sha256').update(key).digest('hex')}.lock`);
    const past = new Date(Date.now() - 10_000);
    // a.json: a stale lock, and an empty breaker left by a breaker killed between create and write
    await writeFile(lockOf('a.json'), `${dead.pid} ${Date.now()} stale ${hostname()}`);
    await writeFile(`${lockOf('a.json')}.break`, '');
    await utimes(`${lockOf('a.json')}.break`, past, past);
    // b.json: a lock cut short while it was written
    await writeFile(lockOf('b.json'), `${dead.pid} 17`);
    await utimes(lockOf('b.json'), past, past);
    for (const key of ['a.json', 'b.json']) {
      await store.updateJson<{ v: number }>(key, (cur) => ({ v: cur!.v + 1 }));
      expect(await store.getJson(key)).toEqual({ v: 2 });
    }
    await store.close?.(); // a write answers before its lock file is removed; close waits for that
    expect(await readdir(lockDir)).toEqual([]);
  });

  it('removes stale locks of keys that are never written again at the first use of the folder; a live one stays', async () => {
    const root = await tempRoot();
    const dead = spawn('bun', ['-e', '0']);
    await new Promise((resolve) => dead.on('close', resolve));
    const lockDir = join(root, '.fw-store', 'locks');
    await mkdir(lockDir, { recursive: true });
    await writeFile(join(lockDir, 'a'.repeat(64) + '.lock'), `${dead.pid} ${Date.now()} stale ${hostname()}`);
    await writeFile(join(lockDir, 'b'.repeat(64) + '.lock'), `${process.ppid} ${Date.now() - 3_600_000} old ${hostname()}`);
    await writeFile(join(lockDir, 'c'.repeat(64) + '.lock'), `${process.ppid} ${Date.now()} live ${hostname()}`);
    const store = createStore({ driver: 'fs', root });
    expect((await store.list({ prefix: 'packages/' })).keys).toEqual([]);
    expect(await readdir(lockDir)).toEqual(['c'.repeat(64) + '.lock']);
  });

  it('removes, at the first use of the folder, the pending lock content a killed writer left (even just now); a live writer\'s stays', async () => {
    const root = await tempRoot();
    const dead = spawn('bun', ['-e', '0']);
    await new Promise((resolve) => dead.on('close', resolve));
    const lockDir = join(root, '.fw-store', 'locks');
    await mkdir(lockDir, { recursive: true });
    // killed between creating its pending file and filling it, a moment ago: no lock exists, and the
    // pending file names a dead pid
    await writeFile(join(lockDir, `${'d'.repeat(64)}.lock.${dead.pid}.0123abcd.new`), '');
    const live = `${'e'.repeat(64)}.lock.${process.ppid}.89abcdef.new`;
    await writeFile(join(lockDir, live), `${process.ppid} ${Date.now()} live ${hostname()}`);
    const store = createStore({ driver: 'fs', root });
    expect((await store.list({ prefix: 'packages/' })).keys).toEqual([]);
    expect(await readdir(lockDir)).toEqual([live]);
  });

  it('a lock is never seen empty: 40 writers taking one lock at once only ever show whole lock files', async () => {
    const root = await tempRoot();
    const store = createStore({ driver: 'fs', root });
    await store.putJson('n.json', { n: 0 });
    const { readFile } = await import('node:fs/promises');
    const lockDir = join(root, '.fw-store', 'locks');
    let seen = 0;
    let partial = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const name of await readdir(lockDir).catch(() => [] as string[])) {
          if (!name.endsWith('.lock')) continue;
          const text = await readFile(join(lockDir, name), 'utf8').catch(() => null);
          if (text === null) continue;
          seen++;
          if (text.split(' ').length !== 4) partial++;
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all(Array.from({ length: 40 }, () => store.updateJson<{ n: number }>('n.json', (cur) => ({ n: cur!.n + 1 }), { retries: 50 })));
    watching = false;
    await watcher;
    expect(await store.getJson('n.json')).toEqual({ n: 40 });
    expect(seen).toBeGreaterThan(0);
    expect(partial).toBe(0);
  });
  it('a write committed by another process changes this process\'s changeStamp of the key before that write returns; a process that opens the store and writes nothing leaves it', async () => {
    const root = await tempRoot();
    const store = createStore({ driver: 'fs', root });
    await store.putJson('packages/p/manifest.json', { n: 0 });
    const before = store.changeStamp!('packages/p/manifest.json');
    expect(typeof before).toBe('number');
    const reader = await exited(run('counter-worker.ts', [root, 'packages/q/manifest.json', '1', '0'])); // opens the store, writes nothing
    expect(reader.code, reader.err).toBe(0);
    expect(store.changeStamp!('packages/p/manifest.json')).toBe(before);
    const writer = await exited(run('counter-worker.ts', [root, 'packages/p/manifest.json', '1', '1']));
    expect(writer.code, writer.err).toBe(0);
    const after = store.changeStamp!('packages/p/manifest.json');
    expect(after).not.toBe(before);
    expect(await store.getJson('packages/p/manifest.json')).toEqual({ n: 1 });
    expect(store.changeStamp!('packages/p/manifest.json')).toBe(after);
  });
});
