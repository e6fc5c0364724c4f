// The storage, secrets, server and runner libraries as a user gets them: built, packed with `bun pm pack`,
// installed from the tarballs into a fresh project, then used through `import` on Bun and Node 20,
// through `require` on Node, and type-checked with tsc. (semver-graph and graph-render: packaging-graph.test.ts.)
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binOf as bin, buildAndPack, ok, realNode } from '../src/packaging.ts';
import { repoRoot as root } from '../src/registry-process.ts';

/** Every library: the ones under test and those they depend on, so no workspace name hits a registry. */
const PACKAGES = ['graph-render', 'semver-graph', 'r2-store', 'secrets', 'web', 'registry-server', 'bunx'] as const;
const UNDER_TEST = ['r2-store', 'secrets', 'registry-server', 'bunx'] as const;
const node = realNode();

const ESM = `
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, keys } from '@factorywager/r2-store';
import { RegistrySecretsManager } from '@factorywager/secrets';
import { baseConfig, createAuth, createRegistryHandler } from '@factorywager/registry-server';
import { NPMRegistryServer } from '@factorywager/registry-server/node';
import { BunXIntegration, parseSpec, verifyIntegrity } from '@factorywager/bunx';
import { warmLookup } from '@factorywager/bunx/warm';

const store = createStore({ driver: 'memory' });
await store.putJson(keys.manifest('@s/p'), { n: 1 });
const updated = await store.updateJson(keys.manifest('@s/p'), (v) => ({ n: v.n + 1 }));
let code = null;
try { await store.put('../escape', 'x'); } catch (err) { code = err.code; }
const folder = mkdtempSync(join(tmpdir(), 'fw-packaging-fs-'));
const onDisk = createStore({ driver: 'fs', root: folder });
await onDisk.putJson(keys.manifest('p'), { n: 1 });
// every writer, on Node too, stamps the change map that servers on Bun read from memory
const stamped = readFileSync(join(folder, '.fw-store', 'changes')).some((b) => b !== 0);
rmSync(folder, { recursive: true, force: true });

const secrets = new RegistrySecretsManager({ store, env: { FW_MASTER_KEY: 'a passphrase of sixteen+ chars' }, useBunSecrets: false, actor: 'packaging' });
await secrets.setSecret('app/token', 'v1-value');
await secrets.rotateSecret('app/token', 'v2-value');
const versions = (await secrets.getSecretVersions('app/token')).map((v) => v.version + ':' + v.action);

const config = { ...baseConfig(), publicUrl: 'http://127.0.0.1:1' };
const handler = createRegistryHandler({ store, config, auth: createAuth({ store, config }) });
const ping = (await handler(new Request('http://127.0.0.1:1/-/ping'))).status;
const bad = await handler(new Request('http://127.0.0.1:1/..%2f..%2fetc%2fpasswd'));
const home = await handler(new Request('http://127.0.0.1:1/', { headers: { accept: 'text/html' } }));
const page = [home.status, (await home.text()).includes('<h1>Packages</h1>')];

const server = await new NPMRegistryServer({ ...config, listen: { host: '127.0.0.1', port: 0 } }, { store, log: false }).start();
const served = (await fetch('http://127.0.0.1:' + server.port + '/-/ping')).status;
await server.stop();

const bunx = new BunXIntegration({ registry: 'http://127.0.0.1:1', cacheDir: '/nonexistent/fw-bunx-cache' });
let integrity = null;
try { verifyIntegrity(new Uint8Array([1]), 'sha512-' + 'A'.repeat(86) + '==', 'p@1.0.0'); } catch (err) { integrity = err.code; }
const runner = { spec: parseSpec('@s/p@^1').type, cache: await bunx.listCache(), integrity, warm: await warmLookup({ spec: 'p@1.0.0', args: [], env: { BUNX_CACHE_DIR: '/nonexistent/fw-bunx-cache' } }) };

console.log(JSON.stringify({ n: updated.value.n, code, stamped, value: await secrets.getSecret('app/token'), versions, ping, bad: [bad.status, typeof (await bad.json()).error], page, served, runner }));
`;

const CJS = `(async () => {${ESM
  .replace(/^import \{ (.+) \} from '(.+)';$/gm, (_m, names: string, from: string) => `const { ${names} } = require('${from}');`)
  .replace(/^console\.log/m, 'console.log')}})().catch((err) => { console.error(err); process.exit(1); });`;

const TYPES = `
import { createStore, type Store, type StoreErrorCode } from '@factorywager/r2-store';
import { RegistrySecretsManager, type SecretsErrorCode } from '@factorywager/secrets';
import { baseConfig, createRegistryHandler, createAuth, type RegistryConfig, type RegistryErrorCode } from '@factorywager/registry-server';
import { NPMRegistryServer } from '@factorywager/registry-server/node';
import { BunXIntegration, type BunxErrorCode } from '@factorywager/bunx';
import { warmLookup, type WarmResult } from '@factorywager/bunx/warm';
const store: Store = createStore({ driver: 'memory' });
const config: RegistryConfig = baseConfig();
const handler: (req: Request) => Response | Promise<Response> = createRegistryHandler({ store, config, auth: createAuth({ store, config }) });
const codes: [StoreErrorCode, SecretsErrorCode, RegistryErrorCode] = ['PRECONDITION_FAILED', 'DECRYPT_FAILED', 'VERSION_EXISTS'];
// @ts-expect-error the driver name is checked
createStore({ driver: 'ftp' });
const exitCode: Promise<number> = new BunXIntegration().execute({ package: '@acme/cli', args: ['--help'] });
const warm: Promise<WarmResult> = warmLookup({ spec: 'p', args: [] });
const bunxCode: BunxErrorCode = 'INTEGRITY_MISMATCH';
// @ts-expect-error runtime is 'bun' or 'node'
new BunXIntegration().execute({ package: 'p', runtime: 'deno' });
export const used = [handler, codes, RegistrySecretsManager, NPMRegistryServer, exitCode, warm, bunxCode];
`;

const EXPECTED = {
  n: 2,
  code: 'INVALID_KEY',
  stamped: true,
  value: 'v2-value',
  versions: ['2:rotate', '1:create'],
  ping: 200,
  bad: [400, 'string'],
  page: [200, true],
  served: 200,
  runner: { spec: 'range', cache: [], integrity: 'INTEGRITY_MISMATCH', warm: { hit: false, reason: 'cache folder' } },
};

let tmp = '';
let app = '';

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fw-packaging-libs-'));
  const tarballs = join(tmp, 'tarballs');
  mkdirSync(tarballs);
  await buildAndPack(PACKAGES, tarballs);
  const tgz = (pkg: string) => join(tarballs, `factorywager-${pkg}-0.1.0.tgz`);
  expect(readdirSync(tarballs).sort()).toEqual(PACKAGES.map((p) => `factorywager-${p}-0.1.0.tgz`).sort());
  app = join(tmp, 'app');
  mkdirSync(app);
  // overrides: the libraries' dependencies on each other resolve to these tarballs, not a registry
  const overrides = Object.fromEntries(PACKAGES.map((p) => [`@factorywager/${p}`, `file:${tgz(p)}`]));
  const dependencies = Object.fromEntries(UNDER_TEST.map((p) => [`@factorywager/${p}`, `file:${tgz(p)}`]));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fw-packaging-libs', version: '0.0.0', private: true, type: 'module', dependencies, overrides }));
  ok('bun', ['install'], app);
  writeFileSync(join(app, 'check.mjs'), ESM);
  writeFileSync(join(app, 'check.cjs'), CJS);
  writeFileSync(join(app, 'check.mts'), TYPES);
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2023', 'dom'], strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['check.mts'] }),
  );
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('r2-store, secrets, registry-server and bunx from their packed tarballs', () => {
  it('import works on Bun', () => {
    expect(JSON.parse(ok('bun', ['check.mjs'], app))).toEqual(EXPECTED);
  });

  it('import works on Node 20', () => {
    expect(ok(node, ['-p', 'typeof Bun + " " + process.version'], app)).toMatch(/^undefined v20\./);
    expect(JSON.parse(ok(node, ['check.mjs'], app))).toEqual(EXPECTED);
  });

  it('require works on Node', () => {
    expect(CJS).not.toMatch(/^import /m);
    expect(JSON.parse(ok(node, ['check.cjs'], app))).toEqual(EXPECTED);
  });

  it('types resolve under tsc --noEmit (nodenext)', () => {
    expect(ok(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], app)).toBe('');
  });

  it.each(UNDER_TEST)('publint --strict passes on %s', (pkg) => {
    expect(ok(bin('publint'), ['--strict'], join(root, 'packages', pkg))).toContain('All good!');
  });
});
