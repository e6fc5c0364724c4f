import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BunXIntegration, type BunXOptions } from '../src/integration.ts';
import { entryDir } from '../src/_layout.ts';
import { packageTarGz, rawTarGz, sha512 } from './_tar.ts';
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
  reg.down = false;
  reg.token = null;
});

let counter = 0;
/** A fresh package name per test, so tests share the registry but nothing else. */
const fresh = () => `@t/pkg${++counter}`;

function runner(extra: BunXOptions = {}) {
  const t = tempDir();
  cleanups.push(t.remove);
  const warnings: string[] = [];
  let clock = Date.now();
  const bunx = new BunXIntegration({
    registry: reg.url, cacheDir: join(t.dir, 'cache'), env: { PATH: process.env.PATH, HOME: t.dir }, cwd: t.dir, home: t.dir,
    onWarning: (m) => warnings.push(m), now: () => clock, ...extra,
  });
  return { bunx, warnings, dir: t.dir, advance: (ms: number) => (clock += ms) };
}

/** Runs the bin with stdout captured through a file the bin writes (stdio is inherited). */
async function exec(bunx: BunXIntegration, pkg: string, args: string[] = [], extra: Record<string, unknown> = {}) {
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const d = mkdtempSync(join(tmpdir(), 'fw-bunx-out-'));
  try {
    const out = join(d, 'out.json');
    const code = await bunx.execute({ package: pkg, args, ...extra, env: { PATH: process.env.PATH, OUT: out, ...(extra.env as object) } });
    return { code, out: existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) as { version: string; args: string[] } : null };
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

/** A package whose bin writes its version and arguments to $OUT and exits with $EXIT_CODE. */
function tarball(name: string, version: string, extra: Parameters<typeof packageTarGz>[2] = []) {
  return packageTarGz(name, version, [
    { path: 'package/bin.js', data: `require('fs').writeFileSync(process.env.OUT, JSON.stringify({ version: ${JSON.stringify(version)}, args: process.argv.slice(2) }));\nprocess.exitCode = Number(process.env.EXIT_CODE ?? 0);\n`, mode: 0o755 },
    ...extra,
  ]);
}
const publish = (name: string, version: string, tag: string | null = 'latest') => reg.publish(name, version, { tarball: tarball(name, version) }, tag);
const requestsFor = (name: string) => reg.requests.filter((r) => r.path === `/${name}`);

describe('execute', () => {
  it('runs the bin with the arguments and returns its exit code', async () => {
    const name = fresh();
    publish(name, '1.0.0');
    const { bunx } = runner();
    const r = await exec(bunx, name, ['--flag', 'two words'], { env: { EXIT_CODE: '7' } });
    expect(r).toEqual({ code: 7, out: { version: '1.0.0', args: ['--flag', 'two words'] } });
  });

  it('an exact version that is cached never asks the registry again', async () => {
    const name = fresh();
    publish(name, '1.0.0');
    const { bunx } = runner();
    await exec(bunx, `${name}@1.0.0`);
    const before = reg.requests.length;
    expect((await exec(bunx, `${name}@1.0.0`)).out?.version).toBe('1.0.0');
    expect(reg.requests.length).toBe(before);
  });

  it('a range asks again only after the TTL, with a conditional GET (304), and then sees a new version', async () => {
    const name = fresh();
    publish(name, '1.0.0');
    const { bunx, advance } = runner({ ttlSeconds: 300 });
    expect((await exec(bunx, `${name}@^1`)).out?.version).toBe('1.0.0');
    expect(requestsFor(name)).toHaveLength(1);
    advance(299_000);
    await exec(bunx, `${name}@^1`);
    expect(requestsFor(name)).toHaveLength(1);
    advance(2_000);
    await exec(bunx, `${name}@^1`);
    expect(requestsFor(name).slice(1)).toEqual([expect.objectContaining({ status: 304, ifNoneMatch: expect.stringMatching(/^".+"$/) })]);
    publish(name, '1.1.0');
    await exec(bunx, `${name}@^1`);
    expect(requestsFor(name)).toHaveLength(2); // the 304 renewed the TTL
    advance(301_000);
    expect((await exec(bunx, `${name}@^1`)).out?.version).toBe('1.1.0');
    expect(requestsFor(name).at(-1)).toEqual(expect.objectContaining({ status: 200 }));
  });

  it('a dist-tag asks on every run (conditionally) and follows the tag', async () => {
    const name = fresh();
    publish(name, '1.0.0');
    publish(name, '1.1.0');
    const { bunx } = runner();
    expect((await exec(bunx, name)).out?.version).toBe('1.1.0');
    expect((await exec(bunx, name)).out?.version).toBe('1.1.0');
    expect(requestsFor(name).map((r) => r.status)).toEqual([200, 304]);
    reg.tag(name, 'latest', '1.0.0');
    expect((await exec(bunx, name)).out?.version).toBe('1.0.0');
    expect((await exec(bunx, `${name}@1.1.0`)).out?.version).toBe('1.1.0');
    expect(requestsFor(name).map((r) => r.status)).toEqual([200, 304, 200]);
  });

  it('offline: the cache only, and a miss says what is missing', async () => {
    const name = fresh();
    publish(name, '1.0.0');
    const { bunx } = runner();
    await exec(bunx, `${name}@1.0.0`);
    const before = reg.requests.length;
    expect((await exec(bunx, `${name}@^1`, [], { offline: true })).out?.version).toBe('1.0.0');
    await expect(exec(bunx, `${name}@^2`, [], { offline: true })).rejects.toMatchObject({
      code: 'OFFLINE_MISS', message: `offline: ${name}@^2 from ${reg.url} is missing from the cache (cached: 1.0.0)`,
    });
    await expect(exec(bunx, `${fresh()}`, [], { offline: true })).rejects.toMatchObject({ code: 'OFFLINE_MISS', message: expect.stringContaining('nothing of it is cached') });
    expect(reg.requests.length).toBe(before);
  });

  it('registry unreachable: a cached satisfying entry runs with one warning; nothing cached is an error', async () => {
    const name = fresh();
    publish(name, '1.2.0');
    const { bunx, warnings, advance } = runner();
    await exec(bunx, name);
    reg.down = true;
    expect((await exec(bunx, name)).out?.version).toBe('1.2.0');
    advance(301_000); // past the TTL, so the range asks too
    expect((await exec(bunx, `${name}@^1.0.0`)).out?.version).toBe('1.2.0');
    expect(warnings).toEqual([
      `registry ${reg.url} unreachable; running cached ${name}@1.2.0`,
      `registry ${reg.url} unreachable; running cached ${name}@1.2.0`,
    ]);
    await expect(exec(bunx, `${name}@^2`)).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE', message: expect.stringContaining('is not in the cache') });
  });

  it('sends the token, and a registry that wants one and gets none is UNAUTHORIZED', async () => {
    const name = fresh();
    publish(name, '1.0.0');
    reg.token = 'sekrit';
    await expect(exec(runner().bunx, name)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('no token') });
    expect((await exec(runner({ token: 'sekrit' }).bunx, name)).out?.version).toBe('1.0.0');
    expect(reg.requests.at(-1)).toEqual(expect.objectContaining({ authorization: 'Bearer sekrit', status: 200 }));
  });
});

describe('nothing half-written, nothing foreign', () => {
  const cached = (bunx: BunXIntegration) => ({ entries: readdirSync(bunx.cacheDir).filter((d) => !d.startsWith('.')).flatMap((d) => readdirSync(join(bunx.cacheDir, d)).filter((e) => e !== '_meta')), tmp: existsSync(join(bunx.cacheDir, '.tmp')) ? readdirSync(join(bunx.cacheDir, '.tmp')) : [] });

  it('a tarball that does not match its integrity is refused and nothing is cached', async () => {
    const name = fresh();
    reg.publish(name, '1.0.0', { tarball: tarball(name, '1.0.0'), integrity: sha512(tarball(name, '6.6.6')) });
    const { bunx } = runner();
    await expect(exec(bunx, name)).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH', message: expect.stringMatching(/does not match its integrity.*nothing was cached/) });
    expect(cached(bunx)).toEqual({ entries: [], tmp: [] });
    expect(await bunx.listCache()).toEqual([]);
  });

  it.each([
    ['../', { path: 'package/../evil.js', data: 'x' }],
    ['absolute', { path: '/evil.js', data: 'x' }],
    ['escaping link', { path: 'package/link', type: '2', linkpath: '../../..' }],
  ] as const)('a tarball with a %s entry is refused and nothing is cached', async (_what, entry) => {
    const name = fresh();
    reg.publish(name, '1.0.0', { tarball: tarball(name, '1.0.0', [entry]) });
    const { bunx } = runner();
    await expect(exec(bunx, name)).rejects.toMatchObject({ code: 'UNSAFE_TARBALL' });
    expect(cached(bunx)).toEqual({ entries: [], tmp: [] });
  });

  it('two concurrent first runs both succeed and leave one entry', async () => {
    const name = fresh();
    publish(name, '1.0.0');
    const { bunx } = runner();
    const results = await Promise.all([exec(bunx, name, ['a']), exec(bunx, name, ['b'])]);
    expect(results.map((r) => [r.code, r.out?.args])).toEqual([[0, ['a']], [0, ['b']]]);
    expect(cached(bunx)).toEqual({ entries: [`${name.replace('/', '+')}@1.0.0`], tmp: [] });
  });

  it('a run killed while building leaves no entry (only a folder in .tmp), and the next run builds it', async () => {
    const name = fresh();
    publish(name, '1.0.0');
    const t = runner();
    const src = fileURLToPath(new URL('../src/index.ts', import.meta.url));
    const driver = join(t.dir, 'driver.ts');
    writeFileSync(driver, `import { BunXIntegration } from ${JSON.stringify(src)};\nawait new BunXIntegration({ registry: ${JSON.stringify(reg.url)}, cacheDir: ${JSON.stringify(t.bunx.cacheDir)} }).prepare({ package: ${JSON.stringify(name)} });\n`);
    reg.stallTarballs = true;
    try {
      const child = spawn(process.execPath, [driver], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await reg.waitFor((r) => r.path.startsWith(`/${name}/-/`)); // it is downloading: its build folder exists
      expect(readdirSync(join(t.bunx.cacheDir, '.tmp'))).toHaveLength(1);
      child.kill('SIGKILL');
      await exited;
    } finally {
      reg.stallTarballs = false;
    }
    expect(cached(t.bunx).entries).toEqual([]);
    expect(await t.bunx.listCache()).toEqual([]);
    expect((await exec(t.bunx, name)).out?.version).toBe('1.0.0');
    expect(cached(t.bunx).entries).toEqual([`${name.replace('/', '+')}@1.0.0`]);
  });

  it('a cache entry owned by another user is refused', async () => {
    expect(process.getuid?.()).toBe(0); // chown needs root; the test machines run as root
    const name = fresh();
    publish(name, '1.0.0');
    const { bunx } = runner();
    await exec(bunx, `${name}@1.0.0`);
    const dir = entryDir(bunx.cacheDir, reg.url, name, '1.0.0');
    chownSync(dir, 4242, 4242);
    await expect(exec(bunx, `${name}@1.0.0`)).rejects.toMatchObject({ code: 'CACHE_NOT_OWNED', message: expect.stringContaining('owned by uid 4242') });
    chownSync(dir, 0, 0);
    chmodSync(bunx.cacheDir, 0o777);
    await expect(exec(bunx, `${name}@1.0.0`)).rejects.toMatchObject({ code: 'CACHE_NOT_OWNED', message: expect.stringContaining('writable by every user') });
  });

  it('two registries never share an entry', async () => {
    const other = startTestRegistry();
    try {
      const name = fresh();
      publish(name, '1.0.0');
      other.publish(name, '1.0.0', { tarball: tarball(name, '1.0.0') });
      const t = runner();
      await exec(t.bunx, name);
      const second = new BunXIntegration({ registry: other.url, cacheDir: t.bunx.cacheDir, env: { PATH: process.env.PATH } });
      await exec(second, name);
      expect((await t.bunx.listCache()).map((e) => e.registry).sort()).toEqual([reg.url, other.url].sort());
    } finally {
      await other.stop();
    }
  });
});

describe('dependencies', () => {
  it('are installed from the same registry; lifecycle scripts run only with allowScripts', async () => {
    const dep = fresh();
    const name = fresh();
    reg.publish(dep, '1.0.0', { tarball: rawTarGz([
      { path: 'package/package.json', data: JSON.stringify({ name: dep, version: '1.0.0', main: 'index.js' }) },
      { path: 'package/index.js', data: 'exports.answer = 42;\n' },
    ]) });
    const pkg = { dependencies: { [dep]: '^1.0.0' }, scripts: { postinstall: "node -e \"require('fs').writeFileSync('postinstall-ran', '')\"" } };
    const bytes = packageTarGz(name, '1.0.0', [
      { path: 'package/bin.js', data: `require('fs').writeFileSync(process.env.OUT, JSON.stringify({ version: String(require(${JSON.stringify(dep)}).answer), args: [] }));\n` },
    ], pkg);
    reg.publish(name, '1.0.0', { tarball: bytes, dependencies: pkg.dependencies });
    const off = runner();
    expect((await exec(off.bunx, name)).out?.version).toBe('42');
    const entry = (await off.bunx.listCache())[0]!.path;
    expect(existsSync(join(entry, 'package/postinstall-ran'))).toBe(false);
    expect(reg.requests.some((r) => r.path === `/${dep}`)).toBe(true);
    const on = runner();
    expect((await exec(on.bunx, name, [], { allowScripts: true })).out?.version).toBe('42');
    expect(existsSync(join((await on.bunx.listCache())[0]!.path, 'package/postinstall-ran'))).toBe(true);
  });

  it('a dependency missing from the registry fails the run with INSTALL_FAILED and caches nothing', async () => {
    const name = fresh();
    reg.publish(name, '1.0.0', { tarball: packageTarGz(name, '1.0.0', [], { dependencies: { '@t/not-there': '^1.0.0' } }) });
    const { bunx } = runner();
    await expect(exec(bunx, name)).rejects.toMatchObject({ code: 'INSTALL_FAILED', message: expect.stringContaining(reg.url) });
    expect(await bunx.listCache()).toEqual([]);
  });
});

describe('bins, cache listing and cleaning', () => {
  it('picks the only bin, the one named like the package, or --bin; several without a choice is an error', async () => {
    const name = fresh();
    const short = name.split('/')[1]!;
    const body = (label: string) => `require('fs').writeFileSync(process.env.OUT, JSON.stringify({ version: ${JSON.stringify(label)}, args: [] }));\n`;
    const bytes = rawTarGz([
      { path: 'package/package.json', data: JSON.stringify({ name, version: '1.0.0', bin: { [short]: 'main.js', other: 'other.js' } }) },
      { path: 'package/main.js', data: body('main') },
      { path: 'package/other.js', data: body('other') },
    ]);
    reg.publish(name, '1.0.0', { tarball: bytes, bin: { [short]: 'main.js', other: 'other.js' } });
    const { bunx } = runner();
    expect((await exec(bunx, name)).out?.version).toBe('main');
    expect((await exec(bunx, name, [], { bin: 'other' })).out?.version).toBe('other');
    await expect(exec(bunx, name, [], { bin: 'nope' })).rejects.toMatchObject({ code: 'BIN_NOT_FOUND', message: expect.stringContaining(`bins: ${short}, other`) });
  });

  it('lists name, version, registry, size and last use; clean removes what was unused for N days and says how many bytes', async () => {
    const a = fresh();
    const b = fresh();
    publish(a, '1.0.0');
    publish(b, '2.0.0');
    const { bunx } = runner();
    await exec(bunx, a);
    await exec(bunx, b);
    const list = await bunx.listCache();
    expect(list.map((e) => [e.name, e.version, e.registry])).toEqual([[a, '1.0.0', reg.url], [b, '2.0.0', reg.url]]);
    expect(list.every((e) => e.size > 0 && Math.abs(e.lastUsed.getTime() - Date.now()) < 60_000)).toBe(true);
    const old = new Date(Date.now() - 40 * 86_400_000);
    utimesSync(join(list[0]!.path, 'last-use'), old, old);
    expect(await bunx.cleanCache(30)).toEqual({ removed: [expect.objectContaining({ name: a })], bytesFreed: list[0]!.size });
    expect((await bunx.listCache()).map((e) => e.name)).toEqual([b]);
    expect(await bunx.cleanCache(30)).toEqual({ removed: [], bytesFreed: 0 });
  });
});
