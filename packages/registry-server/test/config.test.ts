import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSON5 from 'json5';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configTemplate } from '../src/config/template.ts';
import { defaultConfig } from '../src/config/default-config.ts';
import { loadRegistryConfig } from '../src/config/load.ts';
import { redactConfig } from '../src/config/redact.ts';
import { validateConfig } from '../src/config/validate.ts';
import { defaultPublicUrl } from '../src/config/public-url.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fw-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected an error');
}

describe('defaults', () => {
  it('no config: fs store in ./.factorywager on 127.0.0.1:4873, one open rule proxying the npm registry, a one-day release-age guard, registration on', async () => {
    const config = await loadRegistryConfig({ env: { HOME: dir }, cwd: dir });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 4873 });
    expect(config.publicUrl).toBe('http://127.0.0.1:4873');
    expect(config.storage).toEqual({ driver: 'fs', root: join(dir, '.factorywager') });
    expect(config.packages).toEqual([{ pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'], proxy: ['upstream'] }]);
    expect(config.auth.allowRegistration).toBe(true);
    expect(config.uplinks).toEqual({ upstream: { url: 'https://registry.npmjs.org/', timeout: 30_000, maxage: 120, origin: 'default' } });
    expect(config).toMatchObject({ minReleaseAge: 86_400, minReleaseAgeExclude: [], upstreamSearchTimeout: 1500 });
    expect(config.source).toBeUndefined();
    expect(defaultConfig({ HOME: dir }).storage).toEqual({ driver: 'fs', root: './.factorywager' });
    expect(defaultConfig({ HOME: dir }).uplinks.upstream?.url).toBe('https://registry.npmjs.org/');
  });
});

describe('the config file', () => {
  it('is the one REGISTRY_CONFIG names when no path is given (a missing one is an error), else ./registry.config.json5, else none', async () => {
    const named = join(dir, 'elsewhere.json5');
    writeFileSync(named, '{ uplinks: {}, listen: { port: 4999 } }');
    writeFileSync(join(dir, 'registry.config.json5'), '{ listen: { port: 4888 } }');
    const fromEnv = await loadRegistryConfig({ env: { HOME: dir, REGISTRY_CONFIG: named }, cwd: dir });
    expect([fromEnv.source, fromEnv.listen.port, fromEnv.uplinks]).toEqual([named, 4999, {}]);
    const explicit = await loadRegistryConfig({ path: 'registry.config.json5', env: { HOME: dir, REGISTRY_CONFIG: named }, cwd: dir });
    expect(explicit.listen.port).toBe(4888);
    expect((await loadRegistryConfig({ env: { HOME: dir }, cwd: dir })).listen.port).toBe(4888);
    await expect(loadRegistryConfig({ env: { HOME: dir, REGISTRY_CONFIG: join(dir, 'missing.json5') }, cwd: dir })).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('missing.json5: cannot read the config file (ENOENT)') });
  });
});

describe('the default uplink follows the npm config', () => {
  it('npm_config_registry first, then the project .npmrc (nearest folder with a package.json), then the user .npmrc', async () => {
    const home = join(dir, 'home');
    const project = join(dir, 'project');
    mkdirSync(join(project, 'src', 'deep'), { recursive: true });
    mkdirSync(home);
    writeFileSync(join(home, '.npmrc'), 'registry=https://user.example/npm/\n');
    const at = async (env: Record<string, string>, cwd: string) => (await loadRegistryConfig({ env: { HOME: home, ...env }, cwd })).uplinks.upstream;
    expect(await at({}, project)).toMatchObject({ url: 'https://user.example/npm/', origin: `npm config: ${join(home, '.npmrc')}` });
    writeFileSync(join(project, 'package.json'), '{}');
    writeFileSync(join(project, '.npmrc'), '; comment\nregistry = ${CORP_REGISTRY}\n@acme:registry=https://acme.example/\n');
    expect(await at({ CORP_REGISTRY: 'https://corp.example/' }, join(project, 'src', 'deep'))).toMatchObject({ url: 'https://corp.example/', origin: `npm config: ${join(project, '.npmrc')}` });
    expect(await at({ CORP_REGISTRY: 'https://corp.example/', NPM_CONFIG_REGISTRY: 'https://env.example/' }, project)).toMatchObject({ url: 'https://env.example/', origin: 'npm config: NPM_CONFIG_REGISTRY' });
    const elsewhere = join(dir, 'other.npmrc');
    writeFileSync(elsewhere, 'registry=https://userconfig.example/\n');
    expect(await at({ npm_config_userconfig: elsewhere }, dir)).toMatchObject({ url: 'https://userconfig.example/' });
    // An npm config that points at this registry itself (after `fw registry setup npm`) is not an uplink.
    expect(await at({ npm_config_registry: 'http://localhost:4873/' }, dir)).toMatchObject({ url: 'https://registry.npmjs.org/', origin: expect.stringContaining('names this registry') });
  });

  it('uplinks in the file replace the default and the default rule proxies them; uplinks: {} turns the proxy off', async () => {
    const file = join(dir, 'registry.config.json5');
    writeFileSync(file, "{ uplinks: { corp: { url: 'https://corp.example/' }, npmjs: { url: 'https://registry.npmjs.org/' } } }");
    const own = await loadRegistryConfig({ env: { HOME: dir, npm_config_registry: 'https://ignored.example/' }, cwd: dir });
    expect(Object.keys(own.uplinks)).toEqual(['corp', 'npmjs']);
    expect(own.packages[0]!.proxy).toEqual(['corp', 'npmjs']);
    writeFileSync(file, '{ uplinks: {} }');
    const off = await loadRegistryConfig({ env: { HOME: dir }, cwd: dir });
    expect(off.uplinks).toEqual({});
    expect(off.packages).toEqual([{ pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] }]);
    // Rules of the file are kept as written, and may name the default uplink.
    writeFileSync(file, "{ packages: [{ pattern: '@acme/*', access: ['$authenticated'], private: true }, { pattern: '**', access: ['$all'], proxy: ['upstream'] }], minReleaseAge: '12h', minReleaseAgeExclude: ['@types/*'] }");
    const rules = await loadRegistryConfig({ env: { HOME: dir }, cwd: dir });
    expect(rules.packages.map((r) => [r.pattern, r.proxy, r.private])).toEqual([['@acme/*', undefined, true], ['**', ['upstream'], undefined]]);
    expect(rules).toMatchObject({ minReleaseAge: 43_200, minReleaseAgeExclude: ['@types/*'] });
  });

  it('keeps the file\'s rules and public URL when FW_DATA_DIR moves its fs store', async () => {
    const file = join(dir, 'registry.config.json5');
    writeFileSync(file, "{ publicUrl: 'https://npm.example.com', storage: { driver: 'fs', root: './store' }, packages: [{ pattern: '**', access: ['$all'], private: true }] }");
    const config = await loadRegistryConfig({ env: { HOME: dir, FW_DATA_DIR: 'moved' }, cwd: dir });
    expect(config.storage).toEqual({ driver: 'fs', root: join(dir, 'moved') });
    expect(config.publicUrl).toBe('https://npm.example.com');
    expect(config.packages).toEqual([{ pattern: '**', access: ['$all'], publish: [], unpublish: [], private: true }]);
  });
});

describe('validation names the field and the file', () => {
  it.each([
    [{ packages: [{ pattern: '**', access: ['$all'] }, { pattern: 'a', access: [] }, { pattern: 'b', publish: 'bob' }] }, 'registry.config.json5: packages[2].publish must be an array of strings'],
    [{ listen: { port: 70000 } }, 'registry.config.json5: listen.port must be a whole number from 0 to 65535'],
    [{ listen: { prot: 1 } }, 'registry.config.json5: listen.prot is not a known setting'],
    [{ lsiten: {} }, 'registry.config.json5: lsiten is not a known setting'],
    [{ storage: { driver: 'ftp' } }, 'registry.config.json5: storage.driver must be one of "fs", "memory", "s3"'],
    [{ storage: { driver: 's3', bucket: 'b', endpoint: 'http://x', accessKeyId: 'a' } }, 'registry.config.json5: storage.secretAccessKey must be a non-empty string'],
    [{ auth: { secret: 'short' } }, 'registry.config.json5: auth.secret must be at least 32 characters'],
    [{ auth: { tokenTtl: 'forever' } }, 'registry.config.json5: auth.tokenTtl must be a duration'],
    [{ uplinks: { npmjs: { url: 'ftp://x' } } }, 'registry.config.json5: uplinks.npmjs.url must be an http(s) URL'],
    [{ packages: [{ pattern: '**', proxy: ['npmjs'] }] }, 'registry.config.json5: packages[0].proxy names the uplink "npmjs"'],
    [{ packages: [{ pattern: '**', proxy: ['toString'] }] }, 'registry.config.json5: packages[0].proxy names the uplink "toString"'],
    [{ users: { bob: { roles: 'admins' } } }, 'registry.config.json5: users.bob.roles must be an array of strings'],
    [[], 'registry.config.json5: the config must be an object'],
    [{ packages: [{ pattern: '**', access: ['$everyone'] }] }, 'registry.config.json5: packages[0].access names the unknown group "$everyone"'],
    [{ users: { Bob: { roles: [] } } }, 'registry.config.json5: users.Bob is not a valid user name'],
    [{ index: { cacheTtl: -1 } }, 'registry.config.json5: index.cacheTtl must be a whole number from 0 to 86400'],
    [{ index: { rebuildAfter: 'soon' } }, 'registry.config.json5: index.rebuildAfter must be a duration'],
    [{ index: { shards: 4 } }, 'registry.config.json5: index.shards is not a known setting'],
    [{ packages: [{ pattern: '@acme/*', private: true, proxy: ['upstream'] }] }, 'registry.config.json5: packages[0].private cannot be true on a rule that lists proxy uplinks'],
    [{ packages: [{ pattern: '**', private: 'yes' }] }, 'registry.config.json5: packages[0].private must be true or false'],
    [{ uplinks: {}, packages: [{ pattern: '**', proxy: ['upstream'] }] }, 'registry.config.json5: packages[0].proxy names the uplink "upstream", which is not in uplinks'],
    [{ minReleaseAge: 'soon' }, 'registry.config.json5: minReleaseAge must be a duration such as "1d"'],
    [{ minReleaseAge: -1 }, 'registry.config.json5: minReleaseAge must be a whole number'],
    [{ minReleaseAgeExclude: '@types/*' }, 'registry.config.json5: minReleaseAgeExclude must be an array of strings'],
    [{ upstreamSearchTimeout: 0 }, 'registry.config.json5: upstreamSearchTimeout must be a whole number from 1 to 60000'],
  ])('%j', (raw, message) => {
    const err = errorOf(() => validateConfig(raw, 'registry.config.json5'));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message.startsWith(message)).toBe(true);
  });

  it('a file error names the file path; a JSON5 syntax error names line and column', async () => {
    const file = join(dir, 'registry.config.json5');
    writeFileSync(file, "{ packages: [ { pattern: '**', publish: 'bob' } ] }");
    await expect(loadRegistryConfig({ env: {}, cwd: dir })).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: `${file}: packages[0].publish must be an array of strings` });
    writeFileSync(file, '{\n  listen: { port: 1 \n');
    await expect(loadRegistryConfig({ env: {}, cwd: dir })).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringMatching(new RegExp(`^${file}:3:\\d+: not valid JSON5`)) });
    await expect(loadRegistryConfig({ path: join(dir, 'missing.json5'), env: {} })).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('missing.json5: cannot read the config file (ENOENT)') });
  });
});

describe('file and environment', () => {
  it('merges the file over the defaults and the environment over both; relative folders follow the file', async () => {
    const file = join(dir, 'conf', 'my.json5');
    mkdirSync(join(dir, 'conf'));
    writeFileSync(file, `// comment\n{ listen: { port: 5000, }, dataDir: 'data', auth: { maxLoginAttempts: 3 }, users: { alice: { roles: ['admins'] } } }`);
    const fromFile = await loadRegistryConfig({ path: file, env: {}, cwd: dir });
    expect(fromFile).toMatchObject({ source: file, listen: { host: '127.0.0.1', port: 5000 }, publicUrl: 'http://127.0.0.1:5000', dataDir: join(dir, 'conf', 'data') });
    expect(fromFile.storage).toEqual({ driver: 'fs', root: join(dir, 'conf', 'data') });
    expect(fromFile.auth).toMatchObject({ maxLoginAttempts: 3, tokenTtl: '30d', allowRegistration: true });

    const env = {
      REGISTRY_PORT: '6000', REGISTRY_URL: 'https://npm.example.com', REGISTRY_AUTH: 'jwt', REGISTRY_SECRET: 's'.repeat(40),
      VERSION_CACHE_TTL: '7', SECRETS_CACHE_TTL: '9', FW_DATA_DIR: 'elsewhere',
    };
    const both = await loadRegistryConfig({ path: file, env, cwd: dir });
    expect(both).toMatchObject({ listen: { port: 6000 }, publicUrl: 'https://npm.example.com', versionCacheTtl: 7, secrets: { cacheTtl: 9 }, dataDir: join(dir, 'elsewhere'), auth: { secret: 's'.repeat(40), maxLoginAttempts: 3 } });
    expect(both.storage).toEqual({ driver: 'fs', root: join(dir, 'elsewhere') });
  });

  it('R2 / S3 variables select the s3 driver; bad variables are named', async () => {
    const r2 = defaultConfig({ R2_ACCOUNT_ID: 'acc', R2_ACCESS_KEY_ID: 'AKIA1234', R2_SECRET_ACCESS_KEY: 'shh', R2_REGISTRY_BUCKET: 'reg' });
    expect(r2.storage).toMatchObject({ driver: 's3', bucket: 'reg', accountId: 'acc', accessKeyId: 'AKIA1234', secretAccessKey: 'shh' });
    const s3 = defaultConfig({ S3_ENDPOINT: 'http://127.0.0.1:9000', R2_ACCESS_KEY_ID: 'k', R2_SECRET_ACCESS_KEY: 's', R2_REGISTRY_BUCKET: 'b' });
    expect(s3.storage).toMatchObject({ driver: 's3', endpoint: 'http://127.0.0.1:9000' });
    const half = errorOf(() => defaultConfig({ S3_ENDPOINT: 'http://x', R2_ACCESS_KEY_ID: 'k', R2_SECRET_ACCESS_KEY: 's' }));
    expect(half).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringMatching(/^environment: R2_REGISTRY_BUCKET is not set/) });
    expect(errorOf(() => defaultConfig({ REGISTRY_PORT: 'eighty' })).message).toMatch(/^environment: REGISTRY_PORT must be a whole number/);
    expect(errorOf(() => defaultConfig({ REGISTRY_AUTH: 'basic' })).message).toBe('environment: REGISTRY_AUTH must be "jwt", got "basic"');
    expect(errorOf(() => defaultConfig({ REGISTRY_SECRET: 'short' })).code).toBe('INVALID_CONFIG');
    expect(errorOf(() => defaultConfig({ REGISTRY_URL: 'not a url' })).message).toMatch(/REGISTRY_URL must be an http\(s\) URL/);
  });
});

describe('defaultPublicUrl', () => {
  it.each([
    ['127.0.0.1', 4873, 'http://127.0.0.1:4873'], ['0.0.0.0', 80, 'http://localhost:80'], ['::', 1, 'http://localhost:1'], ['::1', 2, 'http://[::1]:2'],
  ])('%s:%d -> %s', (host, port, url) => {
    expect(defaultPublicUrl(host, port)).toBe(url);
    expect(validateConfig({ listen: { host, port } }).publicUrl).toBe(url);
  });
});

describe('template and redaction', () => {
  it('the template parses, validates, and carries the uplink example for the given registry', () => {
    const text = configTemplate({ upstream: 'https://npm.corp.example/' });
    expect(text).toContain("  upstream: { url: 'https://npm.corp.example/'");
    const config = validateConfig(JSON5.parse(text), 'registry.config.json5');
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 4873 });
    expect(config.uplinks).toEqual({ upstream: { url: 'https://npm.corp.example/', timeout: 30_000, maxage: 120 } });
    expect(config.packages.map((r) => r.proxy)).toEqual([['upstream']]);
    expect(config).toMatchObject({ minReleaseAge: 86_400, minReleaseAgeExclude: [], upstreamSearchTimeout: 1500 });
    expect(config.index).toEqual({ cacheTtl: 1, rebuildAfter: '1d', searchQueries: 64, callers: 100 });
    expect(validateConfig({ index: { cacheTtl: 0 } }).index).toEqual({ cacheTtl: 0, rebuildAfter: '1d', searchQueries: 64, callers: 100 });
  });

  it('redacts the secret, the storage secret key and uplink passwords', () => {
    const config = validateConfig({
      auth: { secret: 'x'.repeat(40) },
      storage: { driver: 's3', bucket: 'b', endpoint: 'http://127.0.0.1:9000', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI' },
      uplinks: { corp: { url: 'https://me:hunter2hunter2@npm.corp.example/' } },
    });
    const shown = JSON.stringify(redactConfig(config));
    for (const secret of ['x'.repeat(40), 'wJalrXUtnFEMI', 'hunter2hunter2', 'AKIAEXAMPLE']) expect(shown).not.toContain(secret);
    expect(shown).toContain('[redacted]');
    expect(config.auth.secret).toBe('x'.repeat(40)); // the original is untouched
  });
});
