import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BunXIntegration, NPMRegistryServer, RegistrySecretsManager, VersionManager, loadRegistryConfig, bunx, graphRender,
  registryServer, secrets, semverGraph, store,
} from '@factorywager/registry';
import { addUser, publish } from '@factorywager/e2e';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'fw-umbrella-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const packument = {
  name: 'demo',
  'dist-tags': { latest: '1.2.0', next: '2.0.0-beta.1' },
  versions: Object.fromEntries(['1.0.0', '1.1.0', '1.2.0', '2.0.0-beta.1'].map((v) => [v, { name: 'demo', version: v }])),
  time: { '1.0.0': '2026-01-01T00:00:00Z', '1.1.0': '2026-02-01T00:00:00Z', '1.2.0': '2026-03-01T00:00:00Z', '2.0.0-beta.1': '2026-04-01T00:00:00Z' },
};

describe('VersionManager (the product examples)', () => {
  const versions = new VersionManager();
  it('parseVersion and compareVersions', () => {
    expect(versions.parseVersion('1.2.3-beta.1')).toMatchObject({ major: 1, minor: 2, patch: 3, prerelease: ['beta', 1] });
    expect(versions.compareVersions('1.2.3', '1.10.0')).toBe(-1);
    expect(versions.compareVersions('2.0.0', '2.0.0-rc.1')).toBe(1);
    expect(() => versions.parseVersion('1.2')).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
  });
  it('buildVersionGraph of a packument, then Mermaid, ASCII, D3 JSON and SVG', async () => {
    const graph = await versions.buildVersionGraph(packument);
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(['1.0.0', '1.1.0', '1.2.0', '2.0.0-beta.1']);
    expect(graph.current).toBe('1.2.0');
    const mermaid = versions.generateMermaidGraph(graph);
    expect(mermaid).toContain('graph');
    expect(mermaid).toContain('1.2.0 (current)');
    expect(versions.generateAsciiGraph(graph)).toMatch(/1\.2\.0.*latest/);
    const d3 = versions.generateD3Json(graph);
    expect(d3.nodes).toHaveLength(4);
    expect(d3.links.length).toBeGreaterThan(0);
    expect(versions.generateSvgGraph(graph)).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });
  it('is the semver-graph VersionManager with renderers added', () => {
    expect(versions).toBeInstanceOf(semverGraph.VersionManager);
    expect(versions.recommend('1.2.3', 'minor').next).toBe('1.3.0');
  });
});

describe('VersionManager against a running registry: the token comes from where the CLI finds it', () => {
  it('FW_TOKEN, else the .npmrc npm adduser wrote; without either a rollback is refused', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'registry.config.json5'), JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, uplinks: {}, storage: { driver: 'memory' } }));
    const server = await new NPMRegistryServer(await loadRegistryConfig({ path: join(dir, 'registry.config.json5'), env: { HOME: dir } }), { log: false }).start();
    try {
      const token = await addUser(server.url, 'vera', 'correct horse battery');
      for (const v of ['1.0.0', '1.1.0']) expect((await publish(server.url, token, 'vm-demo', v)).status).toBe(201);
      const home = tmp();
      const env = { HOME: home, REGISTRY_URL: server.url, FW_DATA_DIR: join(home, 'data'), FW_SECRETS_BACKEND: 'vault' };
      await expect(new VersionManager({ env }).rollback('vm-demo', '1.0.0')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      const viaEnv = await new VersionManager({ env: { ...env, FW_TOKEN: token } }).rollback('vm-demo', '1.0.0', { reason: 'from FW_TOKEN' });
      expect(viaEnv.after?.current).toBe('1.0.0');
      writeFileSync(join(home, '.npmrc'), `//${new URL(server.url).host}/:_authToken=${token}\n`);
      const viaNpmrc = await new VersionManager({ env }).rollback('vm-demo', '1.1.0', { reason: 'from .npmrc' });
      expect(viaNpmrc.after?.current).toBe('1.1.0');
      const history = await new VersionManager({ env }).history('vm-demo', { type: ['rollback'] });
      expect(history.events.map((e) => [e.actor, e.reason])).toEqual([['vera', 'from .npmrc'], ['vera', 'from FW_TOKEN']]);
    } finally {
      await server.stop();
    }
  });
});

describe('RegistrySecretsManager (the product examples, OS keychain)', () => {
  it('setSecret with useBunSecrets, getSecret, rotateSecret, getSecretVersions, generateVersionGraph', async () => {
    const dir = tmp();
    const env = { FW_DATA_DIR: dir, FW_KEYCHAIN_SERVICE: `fw-umbrella-${process.pid}-${Date.now()}`, FW_ACTOR: 'ana' };
    const manager = new RegistrySecretsManager({ env });
    const init = await manager.initialize();
    expect(init.backend, init.reason).toBe('bun-secrets');
    await manager.setSecret('api/key', 'first', { useBunSecrets: true });
    expect(await manager.getSecret('api/key')).toBe('first');
    await manager.rotateSecret('api/key', 'second');
    expect(await manager.getSecret('api/key')).toBe('second');
    const history = await manager.getSecretVersions('api/key');
    expect(history.map((v) => v.version).sort()).toEqual([1, 2]);
    expect(manager.generateVersionGraph('api/key', history)).toContain('api/key');
    await manager.deleteSecret('api/key', { purge: true });
  });
  it('defaults its store to the environment (the filesystem under FW_DATA_DIR)', async () => {
    const dir = tmp();
    const manager = new RegistrySecretsManager({ env: { FW_DATA_DIR: dir, FW_MASTER_KEY: 'ab'.repeat(32) }, useBunSecrets: false });
    await manager.initialize();
    await manager.storeRegistryCredentials('127.0.0.1:4873', { token: 'tok-123' });
    expect(await manager.getRegistryCredentials('127.0.0.1:4873')).toEqual({ token: 'tok-123' });
    expect((await store.createStore({ driver: 'fs', root: dir }).list({ prefix: 'secrets/' })).keys.length).toBeGreaterThan(0);
  });
});

describe('the one-stop import', () => {
  it('exports the classes of the product example and every package under its own name', () => {
    for (const value of [NPMRegistryServer, RegistrySecretsManager, BunXIntegration, VersionManager, loadRegistryConfig]) {
      expect(typeof value).toBe('function');
    }
    expect(new BunXIntegration()).toBeInstanceOf(bunx.BunXIntegration);
    expect(new RegistrySecretsManager({ env: { FW_DATA_DIR: tmp() } })).toBeInstanceOf(secrets.RegistrySecretsManager);
    expect(typeof graphRender.renderSvg).toBe('function');
    expect(typeof registryServer.createRegistryHandler).toBe('function');
  });
});
