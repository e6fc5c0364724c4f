import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bunClient } from '../src/clients/bun.ts';
import { NPM_BIN, npmClient } from '../src/clients/npm.ts';
import type { FullClient as RegistryClient } from '../src/clients/types.ts';
import { consumerProject } from '../src/fixtures.ts';
import { addUser, publishBody } from '../src/publish-doc.ts';
import { repoRoot, startRegistry, type RegistryProcess } from '../src/registry-process.ts';
import { run } from '../src/run.ts';
import { startUpstream, type TestUpstream } from '../src/upstream.ts';
import { createWorkspace, type ClientWorkspace } from '../src/workspace.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms);

/** The set every fresh project installs: private packages (one depends on an upstream one) and upstream ones. */
const PROJECT = { '@fw-priv/app': '^1.0.0', 'fw-priv-util': '^1.0.0', 'fw-pub-lib': '^1.0.0', 'fw-shadow': '*' };

const version = (project: string, name: string) =>
  (JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

async function publishLocal(registry: string, token: string, name: string, v: string, extra: Record<string, unknown> = {}) {
  const { body } = await publishBody(name, v, registry, extra);
  const res = await fetch(`${registry}/${name.replace('/', '%2f')}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`publish ${name}@${v}: ${res.status} ${await res.text()}`);
}

describe.sequential('proxy by default: npm and bun through a registry with a test upstream', () => {
  let up: TestUpstream;
  let registry: RegistryProcess;
  const workspaces: ClientWorkspace[] = [];
  const fresh = (make: (ws: ClientWorkspace) => RegistryClient) => {
    const ws = createWorkspace(registry.url);
    workspaces.push(ws);
    return make(ws);
  };
  const installFresh = async (make: (ws: ClientWorkspace) => RegistryClient) => {
    const client = fresh(make);
    const project = consumerProject(client.ws.dir('consumer'), PROJECT);
    await client.install(project);
    return project;
  };
  const expectTheSet = (project: string) => {
    expect(version(project, '@fw-priv/app')).toBe('1.0.0');
    expect(version(project, 'fw-priv-util')).toBe('1.0.0');
    // 1.2.0 is upstream's latest, published a minute ago: held back, so ^1.0.0 resolves to 1.1.0.
    expect(version(project, 'fw-pub-lib')).toBe('1.1.0');
    expect(version(project, 'fw-pub-dep')).toBe('1.0.0');
    expect(version(project, 'fw-shadow')).toBe('2.0.0');
  };

  beforeAll(async () => {
    up = await startUpstream();
    await up.publish('fw-pub-dep', '1.0.0');
    await up.publish('fw-pub-lib', '1.0.0', { publishedAt: ago(40 * DAY), dependencies: { 'fw-pub-dep': '^1.0.0' } });
    await up.publish('fw-pub-lib', '1.1.0', { publishedAt: ago(3 * DAY), dependencies: { 'fw-pub-dep': '^1.0.0' } });
    await up.publish('fw-pub-lib', '1.2.0', { publishedAt: ago(MINUTE), dependencies: { 'fw-pub-dep': '^1.0.0' } });
    await up.publish('fw-shadow', '2.0.0');
    await up.publish('fw-shadow', '3.0.0', { files: { 'index.js': 'module.exports = "the upstream impostor";\n' } });
    await up.publish('fw-fresh', '1.0.0', { publishedAt: ago(MINUTE) });
    await up.publish('@fw-types/fresh', '1.0.0', { publishedAt: ago(MINUTE) });
    registry = await startRegistry({ upstream: up.url, config: { minReleaseAgeExclude: ['@fw-types/*'] } });
    const token = await addUser(registry.url, 'proxy-owner', 'proxy owner password');
    await publishLocal(registry.url, token, 'fw-priv-util', '1.0.0');
    await publishLocal(registry.url, token, '@fw-priv/app', '1.0.0', { dependencies: { 'fw-priv-util': '^1.0.0', 'fw-pub-lib': '^1.0.0' } });
    // A name published here that upstream has too (with a higher version): only ours may ever show.
    await publishLocal(registry.url, token, 'fw-shadow', '2.0.0');
  });
  afterAll(async () => {
    for (const ws of workspaces) ws.remove();
    await registry?.stop();
    await up?.stop();
  });

  it('npm installs a mix of private and upstream packages into a fresh project', async () => {
    expectTheSet(await installFresh(npmClient));
  });

  it('bun installs the same mix into a fresh project', async () => {
    expectTheSet(await installFresh(bunClient));
  });

  it('a name published here that also exists upstream shows only the local versions', async () => {
    const client = fresh(npmClient);
    expect(await client.view('fw-shadow', 'versions')).toEqual(['2.0.0']);
    expect(await client.view('fw-shadow', 'dist-tags')).toEqual({ latest: '2.0.0' });
    expect((await fetch(`${registry.url}/fw-shadow/-/fw-shadow-3.0.0.tgz`)).status).toBe(404);
    expect(up.requests.some((r) => r.url.startsWith('/fw-shadow'))).toBe(false);
  });

  it('a version published upstream a minute ago is not installable through the proxy; an excluded pattern is', async () => {
    const client = fresh(npmClient);
    const project = consumerProject(client.ws.dir('young'), {});
    const pinned = await run(NPM_BIN, ['install', 'fw-pub-lib@1.2.0', '--registry', client.ws.registry], { cwd: project, env: client.ws.env });
    expect(pinned.code).not.toBe(0);
    expect(pinned.stderr).toContain('No matching version found for fw-pub-lib@1.2.0');
    const young = await run(NPM_BIN, ['install', 'fw-fresh', '--registry', client.ws.registry], { cwd: project, env: client.ws.env });
    expect(young.code).not.toBe(0);
    expect(young.stderr).toMatch(/403 Forbidden - GET \S+fw-fresh - every version of fw-fresh was published upstream less than 1d ago \(minReleaseAge\): the first can be installed from \d{4}-/);
    // A lockfile that names the young tarball gets a 4xx JSON error naming when it matures.
    const tgz = await fetch(`${registry.url}/fw-pub-lib/-/fw-pub-lib-1.2.0.tgz`);
    expect(tgz.status).toBe(403);
    expect((await tgz.json()).error).toMatch(/^fw-pub-lib@1\.2\.0 was published upstream at \S+, less than 1d ago \(minReleaseAge\): it can be installed from \d{4}-\d\d-\d\dT/);

    await client.install(consumerProject(client.ws.dir('excluded'), { '@fw-types/fresh': '^1.0.0' }));
    expect(version(join(client.ws.root, 'excluded'), '@fw-types/fresh')).toBe('1.0.0');

    // registry:info says what is held back and where latest went.
    const info = await run('bun', ['--conditions=source', join(repoRoot, 'apps/cli/src/bin.ts'), 'registry', 'info', 'fw-pub-lib'], { env: { REGISTRY_URL: registry.url, NO_COLOR: '1', FW_TOKEN: '' } });
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toContain('fw-pub-lib@1.1.0');
    expect(info.stdout).toContain('source: uplink upstream');
    expect(info.stdout).toMatch(/held back \(younger than 1d\): 1\.2\.0 \(installable from \d{4}-/);
    expect(info.stdout).toContain('latest: upstream 1.2.0, served 1.1.0');
  });

  it('with the upstream stopped, npm and bun install the same set again into fresh projects with empty caches', async () => {
    await up.stop();
    expect((await fetch(up.url).catch(() => null))?.status).toBeUndefined();
    expectTheSet(await installFresh(npmClient));
    expectTheSet(await installFresh(bunClient));
  });
});
