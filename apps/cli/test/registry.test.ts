import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTarGzip } from 'nanotar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryDriver, wrapStore } from '@factorywager/r2-store';
import { baseConfig, withoutProxy } from '@factorywager/registry-server';
import { NPMRegistryServer } from '@factorywager/registry-server/node';
import { runMain } from './_run-main.ts';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const temps: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'fw-cli-registry-'));
  temps.push(d);
  return d;
};
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const run = runMain;

describe('registry start as a real process', () => {
  it('no config: fs store in ./.factorywager, prints URL and login hint, answers /-/ping, stops on SIGTERM', async () => {
    const cwd = temp();
    // The default proxy follows the npm config: pointed at a closed local port, never the internet.
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', HOME: cwd, npm_config_registry: 'http://127.0.0.1:9/' };
    delete env.FW_DATA_DIR;
    delete env.REGISTRY_PORT;
    delete env.REGISTRY_CONFIG;
    const child = spawn('bun', ['--conditions=source', bin, 'registry', 'start', '--port', '0', '--quiet'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`exited early: ${out}${err}`)));
    });
    expect(out).toContain(`npm adduser --registry ${url}/`);
    expect(out).toContain(`storage: fs ${join(cwd, '.factorywager')}`);
    await new Promise<void>((r) => (out.includes('guard:') ? r() : child.stdout.once('data', () => r())));
    expect(out).toContain('proxy:   http://127.0.0.1:9/ (npm config: npm_config_registry) for names not published here');
    expect(out).toContain('guard:   upstream versions younger than 1d are held back');
    expect((await fetch(`${url}/-/ping`)).status).toBe(200);
    const add = await fetch(`${url}/-/user/org.couchdb.user:alice`, { method: 'PUT', body: JSON.stringify({ name: 'alice', password: 'correct horse battery' }) });
    expect(add.status).toBe(201);
    expect(existsSync(join(cwd, '.factorywager', 'auth', 'users', 'alice.json'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toContain('registry stopped (SIGTERM)');
  });

  it('a bad --port is a usage error (exit 2)', async () => {
    const r = await run(['registry', 'start', '--port', 'eighty']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('fw: --port must be a port number (0-65535), got "eighty"\n');
  });
});

describe('client commands against a running registry', () => {
  let server: NPMRegistryServer;
  let token: string;
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    server = await new NPMRegistryServer({ ...withoutProxy(baseConfig()), listen: { host: '127.0.0.1', port: 0 }, publicUrl: 'http://127.0.0.1:0' }, { store: wrapStore(memoryDriver()), log: false }).start();
    const res = await fetch(`${server.url}/-/user/org.couchdb.user:alice`, { method: 'PUT', body: JSON.stringify({ name: 'alice', password: 'correct horse battery' }) });
    token = ((await res.json()) as { token: string }).token;
    env = { REGISTRY_URL: server.url, FW_TOKEN: token, NO_COLOR: '1', HOME: temp() };
  });
  afterAll(() => server.stop());

  function fixture(): string {
    const dir = temp();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@acme/hello', version: '1.0.0', description: 'says hello', main: 'index.js', bin: { hello: 'bin/hello.js' }, files: ['index.js', 'lib/', 'bin'] }));
    writeFileSync(join(dir, 'index.js'), 'module.exports = "hello";\n');
    writeFileSync(join(dir, 'README.md'), '# hello\n');
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib', 'a.js'), 'a');
    writeFileSync(join(dir, 'lib', 'a.test.js'), 'test');
    writeFileSync(join(dir, '.npmignore'), '*.test.js\n');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'hello.js'), '#!/usr/bin/env node\nconsole.log("hello")\n');
    chmodSync(join(dir, 'bin', 'hello.js'), 0o644);
    mkdirSync(join(dir, 'secret'));
    writeFileSync(join(dir, 'secret', 'key.txt'), 'do not ship');
    writeFileSync(join(dir, '.npmrc'), '//x/:_authToken=nope');
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'node_modules', 'x.js'), 'x');
    return dir;
  }

  it('publish packs files/.npmignore, the tarball holds exactly those files; republish fails with one line', async () => {
    const dir = fixture();
    const r = await run(['registry', 'publish', dir, '--json'], env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.files).toEqual(['README.md', 'bin/hello.js', 'index.js', 'lib/a.js', 'package.json']);
    const tgz = new Uint8Array(await (await fetch(`${server.url}/@acme/hello/-/hello-1.0.0.tgz`)).arrayBuffer());
    const entries = await parseTarGzip(tgz);
    expect(entries.map((e) => e.name).sort()).toEqual(result.files.map((f: string) => `package/${f}`));
    expect(entries.find((e) => e.name === 'package/bin/hello.js')?.attrs?.mode).toMatch(/755$/);
    const again = await run(['registry', 'publish', dir], env);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/^fw: PUT \/@acme%2fhello: 403 .*1\.0\.0\n$/);
  });

  it('version graph <pkg> svg draws the graph the registry serves (its JSON form, as SVG)', async () => {
    const dir = temp();
    for (const version of ['1.0.0', '1.1.0']) {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'graphed', version }));
      expect((await run(['registry', 'publish', dir], env)).code).toBe(0);
    }
    const r = await run(['version', 'graph', 'graphed', 'svg'], env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(r.out.match(/class="fw-node /g)).toHaveLength(2);
    expect(r.out).toContain('class="fw-node fw-status-current" data-version="1.1.0"');
  });

  it('publish keeps files listed in "files" that .gitignore ignores (build output), as npm does', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'built', version: '1.0.0', main: 'dist/index.js', files: ['dist'] }));
    writeFileSync(join(dir, '.gitignore'), 'dist\nnode_modules\n');
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'index.js'), 'module.exports = 1;\n');
    writeFileSync(join(dir, 'dist', 'util.js'), 'module.exports = 2;\n');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'index.ts'), 'export default 1;\n');
    const r = await run(['registry', 'publish', dir, '--dry-run', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).files).toEqual(['dist/index.js', 'dist/util.js', 'package.json']);
  });

  it('publish without --tag refuses a prerelease and a version below latest (exit 2), as npm does', async () => {
    const dir = temp();
    const write = (version: string) => writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tagged', version }));
    write('2.0.0');
    expect(await run(['registry', 'publish', dir], env)).toMatchObject({ code: 0 });
    write('3.0.0-rc.1');
    const pre = await run(['registry', 'publish', dir], env);
    expect(pre).toMatchObject({ code: 2, err: expect.stringContaining('--tag') });
    write('1.5.0');
    const lower = await run(['registry', 'publish', dir], env);
    expect(lower).toMatchObject({ code: 2, err: expect.stringContaining('lower than latest (2.0.0)') });
    expect((await run(['registry', 'publish', dir, '--tag', 'legacy'], env)).code).toBe(0);
    const tags = (await (await fetch(`${env.REGISTRY_URL}/-/package/tagged/dist-tags`)).json()) as Record<string, string>;
    expect(tags).toEqual({ latest: '2.0.0', legacy: '1.5.0' });
  });

  it('info, search, list and stats print what the registry holds', async () => {
    const dir = fixture();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'plain-pkg', version: '2.0.0', description: 'a plain package' }));
    expect((await run(['registry', 'publish', dir], env)).code).toBe(0);
    const info = await run(['registry', 'info', 'plain-pkg'], env);
    expect(info.out).toContain('plain-pkg@2.0.0 — a plain package');
    expect(info.out).toContain('dist-tags: latest: 2.0.0');
    const search = await run(['registry', 'search', 'plain', '--json'], env);
    expect(JSON.parse(search.out).objects.map((o: { package: { name: string } }) => o.package.name)).toEqual(['plain-pkg']);
    const list = await run(['registry', 'list', '--json'], env);
    expect(JSON.parse(list.out).map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['plain-pkg']));
    const stats = JSON.parse((await run(['registry', 'stats', '--json'], env)).out);
    expect(stats.packages).toBeGreaterThanOrEqual(1);
    expect(stats.bytes).toBeGreaterThan(0);
    const missing = await run(['registry', 'info', 'no-such-pkg'], env);
    expect(missing.code).toBe(1);
    expect(missing.err.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('reads the token from ./.npmrc when FW_TOKEN is unset; without any token publish says how to log in', async () => {
    const cwd = temp();
    const host = new URL(server.url).host;
    writeFileSync(join(cwd, '.npmrc'), `registry=${server.url}/\n//${host}/:_authToken=\${MY_TOKEN}\n`);
    const dir = fixture();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'via-npmrc', version: '1.0.0' }));
    const prev = process.cwd();
    process.chdir(cwd);
    try {
      expect((await run(['registry', 'publish', dir], { ...env, FW_TOKEN: undefined, MY_TOKEN: token })).code).toBe(0);
      const none = await run(['registry', 'publish', dir], { ...env, FW_TOKEN: undefined, MY_TOKEN: undefined });
      expect(none.code).toBe(1);
      expect(none.err).toContain(`npm adduser --registry ${server.url}/`);
      const dry = await run(['registry', 'publish', dir, '--dry-run', '--json'], { ...env, FW_TOKEN: undefined, MY_TOKEN: undefined });
      expect(dry.code).toBe(0);
      // no "files": everything but .npmignore's patterns and npm's always-excluded files
      expect(JSON.parse(dry.out)).toMatchObject({ name: 'via-npmrc', dryRun: true, files: ['README.md', 'bin/hello.js', 'index.js', 'lib/a.js', 'package.json', 'secret/key.txt'] });
    } finally {
      process.chdir(prev);
    }
    const down = await run(['registry', 'list'], { ...env, REGISTRY_URL: 'http://127.0.0.1:9' });
    expect(down).toMatchObject({ code: 1, err: 'fw: cannot reach the registry at http://127.0.0.1:9 (is it running? bun run registry:start)\n' });
  });
});

describe('registry config init|load', () => {
  it('init writes the commented template with the uplink example, refuses to overwrite; load prints it redacted', async () => {
    const dir = temp();
    const path = join(dir, 'registry.config.json5');
    const r = await run(['registry', 'config', 'init', '--config', path, '--upstream', 'https://npm.corp.example/']);
    expect(r.code).toBe(0);
    expect(readFileSync(path, 'utf8')).toContain("  upstream: { url: 'https://npm.corp.example/'");
    const again = await run(['registry', 'config', 'init', '--config', path]);
    expect(again).toMatchObject({ code: 1, err: `fw: ${path} exists; use --force to overwrite it\n` });
    const loaded = await run(['registry', 'config', 'load', '--config', path], { REGISTRY_SECRET: 'z'.repeat(40), REGISTRY_PORT: '5999' });
    expect(loaded.code).toBe(0);
    const config = JSON.parse(loaded.out);
    expect(config.listen.port).toBe(5999);
    expect(config.auth.secret).toBe('[redacted]');
    expect(loaded.out).not.toContain('z'.repeat(40));
    writeFileSync(path, "{ packages: [{ pattern: '**', publish: 'bob' }] }");
    const bad = await run(['registry', 'config', 'load', '--config', path]);
    expect(bad).toMatchObject({ code: 1, err: `fw: ${path}: packages[0].publish must be an array of strings [INVALID_CONFIG]\n` });
    expect((await run(['registry', 'config', 'wat'])).code).toBe(2);
  });

  it('REGISTRY_CONFIG names the file for load and start when --config is absent; --config wins', async () => {
    const dir = temp();
    const viaEnv = join(dir, 'from-env.json5');
    const viaFlag = join(dir, 'from-flag.json5');
    writeFileSync(viaEnv, "{ listen: { port: 0 }, versionCacheTtl: 11 }");
    writeFileSync(viaFlag, "{ versionCacheTtl: 22 }");
    const loaded = await run(['registry', 'config', 'load'], { REGISTRY_CONFIG: viaEnv, REGISTRY_PORT: undefined });
    expect(loaded.code).toBe(0);
    expect(JSON.parse(loaded.out)).toMatchObject({ source: viaEnv, versionCacheTtl: 11 });
    const flag = await run(['registry', 'config', 'load', '--config', viaFlag], { REGISTRY_CONFIG: viaEnv });
    expect(JSON.parse(flag.out)).toMatchObject({ source: viaFlag, versionCacheTtl: 22 });
    const missing = await run(['registry', 'config', 'load'], { REGISTRY_CONFIG: join(dir, 'nope.json5') });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('nope.json5: cannot read the config file (ENOENT)');

    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', REGISTRY_CONFIG: viaEnv, FW_DATA_DIR: join(dir, 'data') };
    delete env.REGISTRY_PORT;
    const child = spawn('bun', ['--conditions=source', bin, 'registry', 'start', '--no-proxy', '--quiet'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => { out += c; if (out.includes('stop:')) resolve(); });
      child.once('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    expect(out).toContain(`config:  ${viaEnv}`);
    expect(out).toContain('proxy:   off (only packages published here are served)');
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
    expect((await fetch(`${url}/-/ping`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
