// Issue 9, must-show 1 and 2: one-command rollback end to end against a real registry process, with
// the real CLI, npm and bun. Publishes 1.0.0 .. 1.3.0, 2.0.0-beta.1 under `next` and deprecates 1.1.0
// (with npm); the graph in all three formats matches the registry; `version rollback` moves latest
// so that fresh installs (empty caches, isolated HOME) get 1.2.0; history shows who and why; rolling
// forward is the same command; refusals are one stderr line, exit 1, and leave the store byte-identical.
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAscii, renderMermaid, toD3Json } from '@factorywager/graph-render';
import { buildVersionGraph, type Packument } from '@factorywager/semver-graph';
import { NPM_BIN } from '../src/clients/npm.ts';
import { addUser, publishBody } from '../src/publish-doc.ts';
import { repoRoot, startRegistry, type RegistryProcess } from '../src/registry-process.ts';
import { run, runOk } from '../src/run.ts';
import { checkStore, snapshotStore } from '../src/store-check.ts';
import { createWorkspace, type ClientWorkspace } from '../src/workspace.ts';

const PKG = 'fw-e2e-roll';
const CLI = join(repoRoot, 'apps/cli/src/bin.ts');

let registry: RegistryProcess;
let alice = '';
let bob = '';
let cliHome: ClientWorkspace;
const workspaces: ClientWorkspace[] = [];

/** The real CLI, `fw version ...`, in its own process with the token given. */
function fw(args: string[], token: string) {
  const home = cliHome.home;
  return run('bun', ['--conditions=source', CLI, 'version', ...args], {
    cwd: home,
    env: { REGISTRY_URL: registry.url, FW_TOKEN: token, NO_COLOR: '1', FORCE_COLOR: undefined, HOME: home, XDG_CACHE_HOME: join(home, '.cache') },
  });
}

async function publishVersion(version: string, tag = 'latest') {
  const { body } = await publishBody(PKG, version, registry.url);
  body['dist-tags'] = { [tag]: version };
  const res = await fetch(`${registry.url}/${PKG}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}` },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
}

const served = async (format: string) => (await fetch(`${registry.url}/-/fw/graph/${PKG}?format=${format}`)).text();

/** `npm install <pkg>` and `bun add <pkg>` in fresh workspaces (empty caches, own HOME): the versions they got. */
async function freshInstalls(): Promise<{ npm: string; bun: string }> {
  const installed = (dir: string) => (JSON.parse(readFileSync(join(dir, 'node_modules', PKG, 'package.json'), 'utf8')) as { version: string }).version;
  const project = (ws: ClientWorkspace) => {
    const dir = ws.dir('project');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fw-e2e-roll-consumer', version: '0.0.0', private: true }));
    return dir;
  };
  const npmWs = createWorkspace(registry.url);
  const bunWs = createWorkspace(registry.url);
  workspaces.push(npmWs, bunWs);
  const npmDir = project(npmWs);
  const bunDir = project(bunWs);
  await Promise.all([
    runOk(NPM_BIN, ['install', PKG, '--no-audit', '--registry', npmWs.registry], { cwd: npmDir, env: npmWs.env }),
    runOk('bun', ['add', PKG, '--registry', bunWs.registry], { cwd: bunDir, env: bunWs.env }),
  ]);
  return { npm: installed(npmDir), bun: installed(bunDir) };
}

function expectRefusal(r: { code: number; stdout: string; stderr: string }, message: RegExp) {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr.trimEnd()).toMatch(message);
  expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/);
}

beforeAll(async () => {
  registry = await startRegistry({
    config: {
      users: { alice: { roles: ['release'] } },
      packages: [
        { pattern: PKG, access: ['$all'], publish: ['release'], unpublish: ['release'] },
        { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] },
      ],
    },
  });
  // alice is named in the config: an administrator creates her account; bob signs up himself.
  const added = spawnSync('bun', ['--conditions=source', CLI, 'registry', 'user', 'add', 'alice'], {
    cwd: tmpdir(), input: 'alice-password-123\n', encoding: 'utf8',
    env: { ...process.env, FW_DATA_DIR: registry.dataDir, REGISTRY_CONFIG: '', NO_COLOR: '1' },
  });
  expect(added.stderr).toBe('');
  expect(added.status).toBe(0);
  cliHome = createWorkspace(registry.url);
  workspaces.push(cliHome);
  alice = await addUser(registry.url, 'alice', 'alice-password-123');
  bob = await addUser(registry.url, 'bob', 'bob-password-123');
  for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0']) await publishVersion(v);
  await publishVersion('2.0.0-beta.1', 'next');
  // deprecate 1.1.0 with the real npm client
  const ws = createWorkspace(registry.url);
  workspaces.push(ws);
  appendFileSync(ws.npmrc, `${registry.url.replace(/^https?:/, '')}/:_authToken=${alice}\n`);
  await runOk(NPM_BIN, ['deprecate', `${PKG}@1.1.0`, 'broken build, use 1.2.0', '--registry', ws.registry], { cwd: ws.root, env: ws.env });
}, 180_000);

afterAll(async () => {
  for (const ws of workspaces) ws.remove();
  await registry?.stop();
});

describe.sequential('version rollback end to end (real registry process, CLI, npm, bun)', () => {
  it('version graph in all three formats matches the registry', async () => {
    const packument = (await (await fetch(`${registry.url}/${PKG}`)).json()) as Packument;
    const graph = buildVersionGraph(packument);
    expect(graph).toMatchObject({ current: '1.3.0', latest: '2.0.0-beta.1', rollback: '1.2.0', distTags: { latest: '1.3.0', next: '2.0.0-beta.1' } });
    expect(graph.nodes.find((n) => n.id === '1.1.0')).toMatchObject({ status: 'deprecated', deprecated: 'broken build, use 1.2.0' });

    const ascii = await fw(['graph', PKG], alice);
    expect(ascii).toMatchObject({ code: 0, stderr: '' });
    expect(ascii.stdout).toBe(await served('ascii'));
    expect(ascii.stdout).toBe(renderAscii(graph));
    expect(ascii.stdout).toContain('1.3.0  [Current]  ‹latest›');
    expect(ascii.stdout).toContain('1.1.0  [Deprecated]');

    const mermaid = await fw(['graph', PKG, 'mermaid'], alice);
    expect(mermaid.stdout).toBe(await served('mermaid'));
    expect(mermaid.stdout).toBe(renderMermaid(graph));

    const json = await fw(['graph', PKG, 'json'], alice);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(await served('json')));
    expect(JSON.parse(json.stdout)).toEqual(toD3Json(graph));
  });

  it('refuses without the publish right, to a missing version, to a deprecated one without --force: one line, exit 1, store byte-identical', async () => {
    const before = await snapshotStore(registry.dataDir);
    expectRefusal(await fw(['rollback', PKG, '1.2.0', '--reason', 'not mine'], bob), new RegExp(`^fw: bob may not publish ${PKG} \\[FORBIDDEN\\]$`));
    expectRefusal(await fw(['rollback', PKG, '1.2.5'], alice), new RegExp(`^fw: ${PKG}@1\\.2\\.5 does not exist \\(nearest: 1\\.2\\.0, 1\\.3\\.0\\) \\[VERSION_NOT_FOUND\\]$`));
    expectRefusal(await fw(['rollback', PKG, '1.1.0'], alice), new RegExp(`^fw: ${PKG}@1\\.1\\.0 is deprecated \\(broken build, use 1\\.2\\.0\\); add --force to roll back to it anyway$`));
    expectRefusal(await fw(['rollback', PKG, '1.2.0'], ''), /log in to publish fw-e2e-roll/);
    const dry = await fw(['rollback', PKG, '1.0.0', '--dry-run'], alice);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toContain(`(dry run) would move latest of ${PKG}: 1.3.0 → 1.0.0 (back); nothing changed`);
    expect(await snapshotStore(registry.dataDir)).toEqual(before);
  });

  it('rolls latest back to 1.2.0 with a reason: graph before and after, fresh npm install and bun add get 1.2.0', async () => {
    const r = await fw(['rollback', PKG, '1.2.0', '--reason', 'bad 1.3.0'], alice);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const [before, after] = r.stdout.split('\n\n');
    expect(before).toContain('1.3.0  [Current]');
    expect(before).toContain('1.2.0  [Rollback Ready]');
    expect(after).toContain('1.2.0  [Current]  ‹latest›');
    expect(after).toContain('1.3.0  [Rollback Ready]');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`✔ moved latest of ${PKG}: 1.3.0 → 1.2.0; Rollback Ready: 1.3.0`);
    expect(await freshInstalls()).toEqual({ npm: '1.2.0', bun: '1.2.0' });
  }, 180_000);

  it('version history shows the rollback with actor and reason, newest first, with --type, --limit and --json', async () => {
    const r = await fw(['history', PKG], alice);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`📦 ${PKG}  7 events`);
    expect(lines[1]).toMatch(/^├── 1\.2\.0  rollback   latest 1\.3\.0 → 1\.2\.0  \d{4}-\d{2}-\d{2}  by alice$/);
    expect(lines[2]).toBe('│      bad 1.3.0');
    expect(lines[3]).toMatch(/^├── 1\.1\.0  deprecate  \d{4}-\d{2}-\d{2}  by alice$/);
    expect(r.stdout).toMatch(/└── 1\.0\.0  publish +\d{4}-\d{2}-\d{2}  by alice\n$/);
    const only = JSON.parse((await fw(['history', PKG, '--type', 'rollback', '--limit', '5', '--json'], alice)).stdout);
    expect(only.events).toEqual([expect.objectContaining({ type: 'rollback', actor: 'alice', tag: 'latest', from: '1.3.0', to: '1.2.0', reason: 'bad 1.3.0' })]);
  });

  it('rolls forward to 1.3.0 with the same command; installs follow; history has both', async () => {
    const r = await fw(['rollback', PKG, '1.3.0'], alice);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`✔ moved latest of ${PKG}: 1.2.0 → 1.3.0; Rollback Ready: 1.2.0`);
    const again = await fw(['rollback', PKG, '1.3.0', '--json'], alice);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, event: null, plan: { direction: 'none' } });
    expect(await freshInstalls()).toEqual({ npm: '1.3.0', bun: '1.3.0' });
    const events = JSON.parse((await fw(['history', PKG, '--type', 'rollback', '--json'], alice)).stdout).events;
    expect(events.map((e: { from: string; to: string }) => `${e.from}→${e.to}`)).toEqual(['1.2.0→1.3.0', '1.3.0→1.2.0']);
    expect((await checkStore(registry.dataDir)).problems).toEqual([]);
  }, 180_000);

  it('--force rolls back to a deprecated version, with a warning', async () => {
    const r = await fw(['rollback', PKG, '1.1.0', '--force', '--reason', 'emergency'], alice);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('fw: warning: 1.1.0 is deprecated: broken build, use 1.2.0\n');
    expect(r.stdout).not.toContain('warning');
    expect(r.stdout).toContain(`✔ moved latest of ${PKG}: 1.3.0 → 1.1.0`);
  });
});
