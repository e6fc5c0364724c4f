import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BunXIntegration } from '../src/integration.ts';
import { entryDir } from '../src/_layout.ts';
import { warmLookup, type WarmRequest } from '../src/warm.ts';
import { readText } from '../src/_warm-io.ts';
import { packageTarGz } from './_tar.ts';
import { startTestRegistry, tempDir, type TestRegistry } from './_registry.ts';

let reg: TestRegistry;
const cleanups: Array<() => void> = [];
beforeAll(() => {
  reg = startTestRegistry();
});
afterAll(async () => {
  await reg.stop();
});
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

let n = 0;
/** A cache primed by the full runner (prepare only: nothing runs) and a warm lookup over it. */
async function primed(specs: string[], versions = ['1.0.0']) {
  const name = `@w/pkg${++n}`;
  for (const v of versions) reg.publish(name, v, { tarball: packageTarGz(name, v) });
  const t = tempDir();
  cleanups.push(t.remove);
  const cacheDir = join(t.dir, 'cache');
  const env = { BUNX_CACHE_DIR: cacheDir, REGISTRY_URL: reg.url, HOME: t.dir, PATH: process.env.PATH };
  const full = new BunXIntegration({ env, cwd: t.dir });
  for (const s of specs) await full.prepare({ package: s.replace('PKG', name) });
  const asked: string[] = [];
  const lookup = (spec: string, extra: Partial<WarmRequest> = {}) =>
    warmLookup({ spec: spec.replace('PKG', name), args: ['x'], env, cwd: t.dir, credentials: async (r) => (asked.push(r), null), ...extra });
  return { name, cacheDir, env, lookup, asked };
}

describe('warmLookup', () => {
  it('an exact cached version is a hit with no request and no keychain', async () => {
    const w = await primed(['PKG@1.0.0']);
    const before = reg.requests.length;
    const hit = await w.lookup('PKG@1.0.0');
    expect(hit).toMatchObject({ hit: true, version: '1.0.0', runtime: 'bun', args: ['x'] });
    expect(hit.hit && hit.file).toBe(join(entryDir(w.cacheDir, reg.url, w.name, '1.0.0'), 'package', 'bin.js'));
    expect(reg.requests.length).toBe(before);
    expect(w.asked).toEqual([]);
    expect(await w.lookup('PKG@1.0.1')).toEqual({ hit: false, reason: 'not cached' });
  });

  it('a range within VERSION_CACHE_TTL is a hit; a stale one is left to the full runner', async () => {
    const w = await primed(['PKG@^1']);
    expect(await w.lookup('PKG@^1')).toMatchObject({ hit: true, version: '1.0.0' });
    expect(await w.lookup('PKG@^1', { now: Date.now() + 301_000 })).toEqual({ hit: false, reason: 'range stale' });
    expect(await w.lookup('PKG@^1', { env: { ...w.env, VERSION_CACHE_TTL: '0' } })).toEqual({ hit: false, reason: 'range stale' });
    expect(await w.lookup('PKG@~1.0')).toEqual({ hit: false, reason: 'unresolved' });
  });

  it('a dist-tag is a hit only when the registry answers 304 to the conditional GET', async () => {
    const w = await primed(['PKG']);
    const before = reg.requests.length;
    expect(await w.lookup('PKG')).toMatchObject({ hit: true, version: '1.0.0' });
    expect(reg.requests.slice(before)).toEqual([expect.objectContaining({ path: `/${w.name}`, status: 304, ifNoneMatch: expect.any(String) })]);
    expect(w.asked).toEqual([]); // the registry answered the anonymous GET: no keychain loaded
    expect(await w.lookup('PKG', { env: { ...w.env, FW_TOKEN: 't' } })).toMatchObject({ hit: true });
    expect(reg.requests.at(-1)).toMatchObject({ authorization: 'Bearer t', status: 304 });
    reg.token = 'sekrit';
    try {
      const mark = reg.requests.length;
      const hit = await warmLookup({ spec: w.name, args: [], env: w.env, credentials: async (r) => (w.asked.push(r), 'sekrit') });
      expect(hit).toMatchObject({ hit: true, version: '1.0.0' });
      expect(reg.requests.slice(mark).map((r) => [r.status, r.authorization])).toEqual([[401, null], [304, 'Bearer sekrit']]);
      expect(w.asked).toEqual([reg.url]); // refused anonymously: the full token lookup ran, once
    } finally {
      reg.token = null;
    }
    reg.publish(w.name, '1.1.0', { tarball: packageTarGz(w.name, '1.1.0') });
    expect(await w.lookup('PKG')).toEqual({ hit: false, reason: 'packument 200' });
    reg.down = true;
    try {
      expect(await w.lookup('PKG@latest')).toEqual({ hit: false, reason: 'packument 503' });
    } finally {
      reg.down = false;
    }
    expect(await w.lookup('PKG', { env: { ...w.env, REGISTRY_URL: 'http://127.0.0.1:1' } })).toEqual({ hit: false, reason: 'no metadata' });
  });

  it('an entry or cache folder that is not the user\'s own is never a hit', async () => {
    expect(process.getuid?.()).toBe(0); // chown needs root; the test machines run as root
    const w = await primed(['PKG@1.0.0']);
    const dir = entryDir(w.cacheDir, reg.url, w.name, '1.0.0');
    chownSync(dir, 4242, 4242);
    expect(await w.lookup('PKG@1.0.0')).toEqual({ hit: false, reason: 'entry not owned' });
    chownSync(dir, 0, 0);
    chownSync(w.cacheDir, 4242, 4242);
    expect(await w.lookup('PKG@1.0.0')).toEqual({ hit: false, reason: 'cache folder' });
  });

  it('bins: --bin and --node are honoured; an unknown bin is left to the full runner (which reports it)', async () => {
    const w = await primed(['PKG@1.0.0']);
    expect(await w.lookup('PKG@1.0.0', { runtime: 'node' })).toMatchObject({ hit: true, runtime: 'node' });
    expect(await w.lookup('PKG@1.0.0', { bin: 'nope' })).toEqual({ hit: false, reason: 'bin' });
  });

  it('reads a file through a mapping: its text, an empty one (which cannot be mapped) as empty, null for none or a folder', async () => {
    const t = tempDir();
    cleanups.push(t.remove);
    writeFileSync(join(t.dir, 'a'), 'registry=http://x/\nü\n');
    writeFileSync(join(t.dir, 'empty'), '');
    expect(await readText(join(t.dir, 'a'))).toBe('registry=http://x/\nü\n');
    expect(await readText(join(t.dir, 'empty'))).toBe('');
    expect(await readText(join(t.dir, 'missing'))).toBeNull();
    expect(await readText(t.dir)).toBeNull();
  });

  it('loads no node: module and no dependency before a hit is decided, only its own small modules', () => {
    // The static import graph from warm.ts (what loads before a hit is decided; `import type` loads nothing).
    const seen = new Set<string>();
    const external = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)';/gm)) {
        if (m[1]!.startsWith('.')) walk(join(dirname(file), m[1]!));
        else external.add(m[1]!);
      }
    };
    walk(fileURLToPath(new URL('../src/warm.ts', import.meta.url)));
    expect([...seen].map((f) => f.split('/').at(-1)).sort()).toEqual(['_bin.ts', '_in-process.ts', '_layout.ts', '_npmrc.ts', '_registry-url.ts', '_warm-io.ts', 'errors.ts', 'warm.ts']);
    expect([...external]).toEqual([]); // Bun's file API instead of node:fs (about 3 ms of a Bun start)
  });
});
