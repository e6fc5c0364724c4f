import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmClient, whoamiWithToken } from './clients/npm.ts';
import type { RegistryClient } from './clients/types.ts';
import { consumerProject, GREETER, greeterPackage, PUBLIC, UTIL, utilPackage, writePackage } from './fixtures.ts';
import { addUser, publish } from './publish-doc.ts';
import { repoRoot, startRegistry } from './registry-process.ts';
import { startUpstream, type TestUpstream } from './upstream.ts';
import { run, runOk } from './run.ts';
import { createWorkspace } from './workspace.ts';

const USER = 'alice';
const PASSWORD = 'correct horse battery staple';
const EMAIL = 'alice@example.com';
const NEW_PASSWORD = 'a new horse battery staple';
const OWNED = 'fw-e2e-owned';

const publishAs = (registry: string, token: string, name: string, version: string) => publish(registry, token, name, version);
const FW = join(repoRoot, 'apps/cli/src/bin.ts');

/**
 * The logged-in token: the one in the workspace's ~/.npmrc, else (pnpm keeps its own outside .npmrc)
 * a fresh login over HTTP.
 */
async function tokenOf(ws: ReturnType<typeof createWorkspace>): Promise<string> {
  const host = ws.registry.replace(/^https?:/, '');
  const line = readFileSync(ws.npmrc, 'utf8').split('\n').find((l) => l.startsWith(`${host}:_authToken=`));
  return line ? line.slice(line.indexOf('=') + 1).trim() : addUser(ws.registry, USER, PASSWORD);
}

/** `fw registry setup <client> ...` in `cwd`, with the workspace's HOME and the logged-in token as FW_TOKEN. */
async function fwSetup(client: RegistryClient, cwd: string, ...args: string[]) {
  const token = await tokenOf(client.ws);
  const { stdout, stderr } = await runOk('bun', ['--conditions=source', FW, 'registry', 'setup', client.setupAs, ...args], {
    cwd, env: { ...client.ws.env, REGISTRY_URL: client.ws.registry, FW_TOKEN: token },
  });
  expect(stdout + stderr).not.toContain(token);
  return stdout;
}

/** What the scenario needs of a running registry, wherever it runs (a Bun process, workerd). */
export interface ScenarioRegistry {
  url: string;
  stop(): Promise<unknown>;
}

export interface ScenarioOptions {
  /** Starts the registry the clients talk to, proxying `upstream`; default apps/server on Bun (startRegistry). */
  startRegistry?: (options: { upstream: string }) => Promise<ScenarioRegistry>;
  /** Where the registry runs, for the suite title (e.g. `workerd`). */
  where?: string;
}

/**
 * The one end-to-end scenario, run against a real registry process by each client. Steps a
 * client has no command for are not registered for it; the suite title lists them.
 */
export function registryScenario(makeClient: (ws: ReturnType<typeof createWorkspace>) => RegistryClient, options: ScenarioOptions = {}) {
  let registry: ScenarioRegistry;
  let upstream: TestUpstream;
  let client: RegistryClient;
  let publisher: RegistryClient;
  let viewer: RegistryClient;
  const probe = makeClient(createWorkspace('http://127.0.0.1:1/'));
  probe.ws.remove();
  const optional = [
    'login', 'whoami', 'publish', 'view', 'ping', 'distTagAdd', 'deprecate', 'undeprecate', 'unpublish', 'search', 'audit', 'tokenCreate',
    'ownerLs', 'ownerAdd', 'accessListPackages', 'accessListCollaborators', 'star', 'profileGet', 'profileSetPassword',
  ] as const;
  const has = (op: (typeof optional)[number]) => typeof probe[op] === 'function';
  const lacks = optional.filter((op) => !has(op));
  const title = `${probe.name} against the registry${options.where ? ` in ${options.where}` : ''}${lacks.length ? ` (no ${probe.name} command for: ${lacks.join(', ')})` : ''}`;

  // Registers a step only for clients that have the command (never a skipped test).
  const step = (op: (typeof optional)[number], name: string, fn: () => Promise<void>) => {
    if (has(op)) it(name, fn);
  };

  describe.sequential(title, () => {
    beforeAll(async () => {
      // The public dependency comes from the test upstream through the proxy (published there 30 days
      // ago, so no release-age guard holds it back).
      upstream = await startUpstream();
      await upstream.publish(PUBLIC, '1.2.0');
      registry = await (options.startRegistry ?? startRegistry)({ upstream: upstream.url });
      client = makeClient(createWorkspace(registry.url));
      // what a client has no command for is done with npm in the same workspace
      publisher = client.publish ? client : npmClient(client.ws);
      viewer = client.view ? client : npmClient(client.ws);
    });
    afterAll(async () => {
      client?.ws.remove();
      await registry?.stop();
      await upstream?.stop();
    });

    step('ping', 'ping', async () => {
      await client.ping!();
    });

    it('adduser, login and whoami', async () => {
      if (client.login) {
        await client.login(USER, PASSWORD, EMAIL);
        // a second login of the same user with the same password succeeds
        await client.login(USER, PASSWORD, EMAIL);
      } else {
        // this client cannot log in: npm creates the user and its token lands in the shared .npmrc
        await npmClient(client.ws).login!(USER, PASSWORD, EMAIL);
      }
      // a client without whoami (or one that reads only the files setup writes next) is checked
      // through npm: the account and its token work
      const asker = client.whoami && !client.readsOnlyOwnConfig ? client : npmClient(client.ws);
      expect(await asker.whoami!()).toBe(USER);
    });

    it(`registry setup ${probe.setupAs} --user writes the home folder's config`, async () => {
      const out = await fwSetup(client, client.ws.root, '--user');
      expect(out).toMatch(/(created|updated|unchanged) \//);
      expect(out).toContain('token: <redacted>');
      if (client.whoami) expect(await client.whoami()).toBe(USER);
    });

    it('publishes an unscoped package and a scoped one with a bin, a private and a public dependency', async () => {
      await publisher.publish!(utilPackage(client.ws.dir('src/util-1.0.0'), '1.0.0'));
      await publisher.publish!(greeterPackage(client.ws.dir('src/greeter-1.0.0'), '1.0.0'));
      const res = await fetch(`${registry.url}/${GREETER.replace('/', '%2f')}`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { versions: Record<string, { _npmUser?: { name: string } }> };
      expect(Object.keys(doc.versions)).toEqual(['1.0.0']);
    });

    step('view', 'views both packages', async () => {
      expect(await client.view!(`${UTIL}@1.0.0`, 'version')).toBe('1.0.0');
      const deps = await client.view!(GREETER, 'dependencies');
      expect(deps).toEqual({ [UTIL]: '^1.0.0', [PUBLIC]: '^1.2.0' });
    });

    it(`registry setup ${probe.setupAs} in a fresh project, then install right after publishing: private and proxied public dependencies, bin included`, async () => {
      const project = consumerProject(client.ws.dir('consumer'), { [GREETER]: '^1.0.0' });
      client.prepareProject?.(project);
      const out = await fwSetup(client, project);
      expect(out).toContain(`release-age exemption: ${[GREETER, UTIL].sort().join(', ')}`);
      await client.install(project);
      const greeter = join(project, 'node_modules', GREETER, 'package.json');
      expect(existsSync(greeter)).toBe(true);
      // its dependencies resolve from where the client put it (hoisted, or beside it as pnpm and deno do)
      const from = createRequire(realpathSync(greeter));
      for (const dep of [UTIL, PUBLIC]) expect(JSON.parse(readFileSync(from.resolve(`${dep}/package.json`), 'utf8')).name).toBe(dep);
      const bin = join(project, 'node_modules/.bin/fw-greet');
      expect(existsSync(bin)).toBe(true);
      const result = await run(bin, [], { cwd: project });
      expect(result.stdout.trim()).toBe(`hello from greeter 5 with ${PUBLIC}@1.2.0`);
      // the public package came through the proxy, from the test upstream
      expect(upstream.requests.some((r) => r.url.endsWith(`/${PUBLIC}/-/${PUBLIC}-1.2.0.tgz`))).toBe(true);
    });

    step('distTagAdd', 'publishes a prerelease under a tag; dist-tag add, ls, rm', async () => {
      await client.publish!(utilPackage(client.ws.dir('src/util-1.1.0-beta.0'), '1.1.0-beta.0'), { tag: 'beta' });
      expect(await client.distTagLs!(UTIL)).toEqual({ latest: '1.0.0', beta: '1.1.0-beta.0' });
      await client.distTagAdd!(`${UTIL}@1.0.0`, 'stable');
      expect((await client.distTagLs!(UTIL)).stable).toBe('1.0.0');
      await client.distTagRm!(UTIL, 'stable');
      expect(await client.distTagLs!(UTIL)).toEqual({ latest: '1.0.0', beta: '1.1.0-beta.0' });
    });

    step('deprecate', 'deprecates and undeprecates a version without losing any', async () => {
      await client.deprecate!(`${UTIL}@1.0.0`, 'use 1.1 instead');
      expect(await client.view!(`${UTIL}@1.0.0`, 'deprecated')).toBe('use 1.1 instead');
      await client.undeprecate!(`${UTIL}@1.0.0`);
      expect(await client.view!(`${UTIL}@1.0.0`, 'deprecated')).toBeUndefined();
      const versions = await client.view!(UTIL, 'versions');
      expect(versions).toEqual(has('distTagAdd') ? ['1.0.0', '1.1.0-beta.0'] : ['1.0.0']);
    });

    it('rolls latest back to an older version, with a rollback event in the history', async () => {
      await publisher.publish!(utilPackage(client.ws.dir('src/util-1.2.0'), '1.2.0'));
      expect((await viewer.view!(UTIL, 'dist-tags')).latest).toBe('1.2.0');
      const res = await fetch(`${registry.url}/-/fw/rollback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await addUser(registry.url, USER, PASSWORD)}` }, // a login over HTTP: no client has a rollback command
        body: JSON.stringify({ package: UTIL, version: '1.0.0' }),
      });
      expect(res.status).toBe(200);
      expect((await viewer.view!(UTIL, 'dist-tags')).latest).toBe('1.0.0');
      const history = (await (await fetch(`${registry.url}/-/fw/history?package=${UTIL}`)).json()) as { events: Array<{ type: string; before?: unknown; after?: unknown }> };
      expect(history.events[0]).toMatchObject({ type: 'rollback', before: '1.2.0', after: '1.0.0' }); // newest first
      expect(history.events.filter((e) => e.type === 'publish').length).toBe(has('distTagAdd') ? 3 : 2);
    });

    step('search', 'searches', async () => {
      const names = await client.search!('fw-e2e');
      expect(names).toEqual(expect.arrayContaining([UTIL, GREETER]));
    });

    step('tokenCreate', 'creates, lists and revokes a read-only token', async () => {
      const token = await client.tokenCreate!(PASSWORD, { readOnly: true });
      expect(token.length).toBeGreaterThan(20);
      expect((await whoamiWithToken(client.ws, token)).stdout.trim()).toBe(USER);
      const listed = await client.tokenList!();
      const mine = listed.find((t) => t.readonly);
      expect(mine).toBeDefined();
      await client.tokenRevoke!(mine!.key);
      expect((await client.tokenList!()).some((t) => t.key === mine!.key)).toBe(false);
      const after = await whoamiWithToken(client.ws, token);
      expect(after.code).not.toBe(0);
    });

    step('view', 'view maintainers names the first publisher', async () => {
      const maintainers = [await client.view!(GREETER, 'maintainers')].flat();
      expect(JSON.stringify(maintainers)).toContain(USER);
    });

    step('ownerLs', 'owner ls lists the first publisher with its e-mail', async () => {
      expect(await client.ownerLs!(GREETER)).toEqual([`${USER} <${EMAIL}>`]);
    });

    step('ownerAdd', 'owner add lets another user publish; owner rm takes it back with a 403 JSON error', async () => {
      const dir = writePackage(client.ws.dir('src/owned-1.0.0'), { name: OWNED, version: '1.0.0' }, { 'index.js': 'module.exports = 1;\n' });
      await client.publish!(dir);
      const bob = await addUser(registry.url, 'bob', 'bobs password here');
      expect((await publishAs(registry.url, bob, OWNED, '1.0.1')).status).toBe(403);
      await client.ownerAdd!('bob', OWNED);
      if (client.ownerLs) expect(await client.ownerLs(OWNED)).toEqual([`${USER} <${EMAIL}>`, 'bob <bob@example.com>']);
      expect((await publishAs(registry.url, bob, OWNED, '1.0.1')).status).toBe(201);
      await client.ownerRm!('bob', OWNED);
      const refused = await publishAs(registry.url, bob, OWNED, '1.0.2');
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: string }).error).toContain(`bob is not a maintainer of ${OWNED}`);
    });

    step('accessListPackages', 'access list packages for the user and for the scope', async () => {
      expect(await client.accessListPackages!()).toMatchObject({ [UTIL]: 'read-write', [GREETER]: 'read-write' });
      expect(await client.accessListPackages!(GREETER.split('/')[0])).toEqual({ [GREETER]: 'read-write' });
    });

    step('accessListCollaborators', 'access list collaborators of a package', async () => {
      expect(await client.accessListCollaborators!(GREETER)).toEqual({ [USER]: 'read-write' });
    });

    step('star', 'star, stars and unstar', async () => {
      await client.star!(UTIL);
      expect(await client.stars!()).toContain(UTIL);
      await client.unstar!(UTIL);
      expect(await client.stars!()).not.toContain(UTIL);
    });

    step('profileGet', 'profile get shows name and e-mail', async () => {
      expect(await client.profileGet!()).toMatchObject({ name: USER, email: EMAIL });
    });

    step('audit', 'audit does not fail, and sends the upstream no private name', async () => {
      await client.audit!(join(client.ws.root, 'consumer'));
      // the private names stay here; the public dependency is what the upstream is asked about
      for (const r of upstream.auditRequests()) expect(r.body).not.toMatch(/fw-e2e-util|@fw-e2e\/|fw-e2e-consumer/);
      expect(upstream.auditRequests().some((r) => r.body.includes(PUBLIC))).toBe(true);
    });

    step('profileSetPassword', 'profile set password keeps this session and revokes the others', async () => {
      const other = await addUser(registry.url, USER, PASSWORD);
      expect((await whoamiWithToken(client.ws, other)).code).toBe(0);
      await client.profileSetPassword!(PASSWORD, NEW_PASSWORD);
      expect(await client.whoami!()).toBe(USER);
      expect((await whoamiWithToken(client.ws, other)).code).not.toBe(0);
      await expect(addUser(registry.url, USER, PASSWORD)).rejects.toThrow(/401/);
      expect((await addUser(registry.url, USER, NEW_PASSWORD)).length).toBeGreaterThan(20);
    });

    step('unpublish', 'unpublishes one version, then a whole package', async () => {
      const target = has('distTagAdd') ? '1.1.0-beta.0' : '1.2.0';
      await client.unpublish!(`${UTIL}@${target}`);
      const versions = [await client.view!(UTIL, 'versions')].flat();
      expect(versions).not.toContain(target);
      await client.unpublish!(GREETER, { force: true });
      const res = await fetch(`${registry.url}/${GREETER.replace('/', '%2f')}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toHaveProperty('error');
    });
  });
}
