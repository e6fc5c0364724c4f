// `fw registry setup <client>` against an in-process registry: merging, --dry-run, --user, no token leaks.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ini from 'ini';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseYaml } from 'yaml';
import { parse as parseToml } from '@decimalturn/toml-patch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryDriver, wrapStore } from '@factorywager/r2-store';
import { baseConfig } from '@factorywager/registry-server';
import { NPMRegistryServer } from '@factorywager/registry-server/node';
import { publish } from '@factorywager/e2e';
import { runMain } from './_run-main.ts';

const temps: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'fw-cli-setup-'));
  temps.push(d);
  return d;
};

let server: NPMRegistryServer;
let token: string;
let host: string;

beforeAll(async () => {
  server = await new NPMRegistryServer({ ...baseConfig(), listen: { host: '127.0.0.1', port: 0 }, publicUrl: 'http://127.0.0.1:0' }, { store: wrapStore(memoryDriver()), log: false }).start();
  const res = await fetch(`${server.url}/-/user/org.couchdb.user:alice`, { method: 'PUT', body: JSON.stringify({ name: 'alice', password: 'correct horse battery' }) });
  token = ((await res.json()) as { token: string }).token;
  host = new URL(server.url).host;
  for (const name of ['@acme/ui', '@acme/core', 'left-pad']) expect((await publish(server.url, token, name, '1.0.0')).status).toBe(201);
});
afterAll(async () => {
  await server.stop();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** Runs `fw` in `cwd` with HOME and XDG_CONFIG_HOME of its own; returns the output and the folders. */
async function fw(argv: string[], opts: { cwd?: string; home?: string; env?: Record<string, string | undefined> } = {}) {
  const cwd = opts.cwd ?? temp();
  const home = opts.home ?? temp();
  const env: Record<string, string | undefined> = { REGISTRY_URL: server.url, FW_TOKEN: token, NO_COLOR: '1', HOME: home, XDG_CONFIG_HOME: join(home, '.config'), FW_MASTER_KEY: undefined, ...opts.env };
  return { ...(await runMain(argv, env, cwd)), cwd, home };
}

const read = (path: string) => readFileSync(path, 'utf8');

describe('fw registry setup: merging into existing files keeps other settings, the token is never printed', () => {
  it('npm: .npmrc gets the scope registry, the token and min-release-age-exclude, keeping comments and other keys', async () => {
    const cwd = temp();
    writeFileSync(join(cwd, '.npmrc'), '# team settings\nfund=false\nmin-release-age-exclude[]=lodash\n@other:registry=https://other.example/\n');
    const r = await fw(['registry', 'setup', 'npm', '--scope', '@acme'], { cwd });
    expect(r.code).toBe(0);
    const text = read(join(cwd, '.npmrc'));
    expect(text.startsWith('# team settings\nfund=false\n')).toBe(true);
    const parsed = ini.parse(text);
    expect(parsed).toMatchObject({ fund: false, '@other:registry': 'https://other.example/', '@acme:registry': `${server.url}/`, [`//${host}/:_authToken`]: token });
    expect(parsed['min-release-age-exclude']).toEqual(['lodash', '@acme/core', '@acme/ui']);
    expect(r.out + r.err).not.toContain(token);
    expect(r.out).toContain('updated');
    // a second run changes nothing
    const again = await fw(['registry', 'setup', 'npm', '--scope', '@acme'], { cwd });
    expect(again.out).toContain(`unchanged ${join(cwd, '.npmrc')}`);
    expect(read(join(cwd, '.npmrc'))).toBe(text);
  });

  it('pnpm: .npmrc for registry and token, pnpm-workspace.yaml for minimumReleaseAgeExclude, keeping packages and comments', async () => {
    const cwd = temp();
    writeFileSync(join(cwd, 'pnpm-workspace.yaml'), "packages:\n  - 'apps/*'\n# keep me\nminimumReleaseAge: 1440\nminimumReleaseAgeExclude:\n  - other-pkg\n");
    const r = await fw(['registry', 'setup', 'pnpm', '--scope', 'acme'], { cwd });
    expect(r.code).toBe(0);
    const yamlText = read(join(cwd, 'pnpm-workspace.yaml'));
    expect(yamlText).toContain('# keep me');
    expect(parseYaml(yamlText)).toEqual({ packages: ['apps/*'], minimumReleaseAge: 1440, minimumReleaseAgeExclude: ['other-pkg', '@acme/*', '@acme/core', '@acme/ui'] });
    expect(ini.parse(read(join(cwd, '.npmrc')))).toEqual({ '@acme:registry': `${server.url}/`, [`//${host}/:_authToken`]: token });
    expect(statSync(join(cwd, '.npmrc')).mode & 0o777).toBe(0o600);
    expect(r.out + r.err).not.toContain(token);
  });

  it('yarn: .yarnrc.yml gets npmScopes, unsafeHttpWhitelist and npmPreapprovedPackages next to what was there; .npmrc for Yarn 1', async () => {
    const cwd = temp();
    writeFileSync(join(cwd, '.yarnrc.yml'), '# yarn settings\nnodeLinker: node-modules\nnpmScopes:\n  other:\n    npmRegistryServer: "https://other.example"\n');
    const r = await fw(['registry', 'setup', 'yarn', '--scope', '@acme'], { cwd });
    expect(r.code).toBe(0);
    const text = read(join(cwd, '.yarnrc.yml'));
    expect(text).toContain('# yarn settings');
    expect(parseYaml(text)).toEqual({
      nodeLinker: 'node-modules',
      npmScopes: {
        other: { npmRegistryServer: 'https://other.example' },
        acme: { npmRegistryServer: server.url, npmAuthToken: token, npmAlwaysAuth: true },
      },
      unsafeHttpWhitelist: ['127.0.0.1'],
      npmPreapprovedPackages: ['@acme/*', '@acme/core', '@acme/ui'],
    });
    expect(ini.parse(read(join(cwd, '.npmrc')))['@acme:registry']).toBe(`${server.url}/`);
    expect(r.out + r.err).not.toContain(token);
  });

  it('bun: bunfig.toml gets the registry with its token and minimumReleaseAgeExcludes as exact names, comments and tables kept', async () => {
    const cwd = temp();
    writeFileSync(join(cwd, 'bunfig.toml'), '# mine\n[install]\nexact = true\n\n[run]\nshell = "bun"\n');
    const r = await fw(['registry', 'setup', 'bun'], { cwd });
    expect(r.code).toBe(0);
    const text = read(join(cwd, 'bunfig.toml'));
    expect(text).toContain('# mine');
    expect(parseToml(text)).toEqual({
      install: { exact: true, registry: { url: `${server.url}/`, token }, minimumReleaseAgeExcludes: ['@acme/core', '@acme/ui', 'left-pad'] },
      run: { shell: 'bun' },
    });
    expect(r.out + r.err).not.toContain(token);
  });

  it('with no FW_TOKEN, the token npm adduser wrote to ~/.npmrc is the one written for another client', async () => {
    const home = temp();
    writeFileSync(join(home, '.npmrc'), `registry=${server.url}/\n//${host}/:_authToken=${token}\n`);
    const r = await fw(['registry', 'setup', 'bun', '--scope', '@acme'], { home, env: { FW_TOKEN: undefined } });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('token: <redacted>');
    expect(r.out + r.err).not.toContain(token);
    const parsed = parseToml(read(join(r.cwd, 'bunfig.toml'))) as { install: { scopes: Record<string, { token?: string }> } };
    expect(parsed.install.scopes['@acme']?.token ?? parsed.install.scopes.acme?.token).toBe(token);
  });

  it('deno: deno.jsonc keeps its comments and tasks; a plain minimumDependencyAge moves into the object form with exclude', async () => {
    const cwd = temp();
    writeFileSync(join(cwd, 'deno.jsonc'), '{\n  // my tasks\n  "tasks": { "dev": "deno run main.ts" },\n  "minimumDependencyAge": "P2D",\n}\n');
    const r = await fw(['registry', 'setup', 'deno', '--scope', '@acme'], { cwd });
    expect(r.code).toBe(0);
    const text = read(join(cwd, 'deno.jsonc'));
    expect(text).toContain('// my tasks');
    expect(parseJsonc(text, [], { allowTrailingComma: true })).toEqual({
      tasks: { dev: 'deno run main.ts' },
      minimumDependencyAge: { age: 'P2D', exclude: ['npm:@acme/*', 'npm:@acme/core', 'npm:@acme/ui'] },
    });
    expect(existsSync(join(cwd, 'deno.json'))).toBe(false);
    expect(ini.parse(read(join(cwd, '.npmrc')))[`//${host}/:_authToken`]).toBe(token);
  });

  it('--user writes into the home folder (pnpm: its global config.yaml), not the project', async () => {
    const r = await fw(['registry', 'setup', 'pnpm', '--user']);
    expect(r.code).toBe(0);
    expect(ini.parse(read(join(r.home, '.npmrc'))).registry).toBe(`${server.url}/`);
    expect(parseYaml(read(join(r.home, '.config', 'pnpm', 'config.yaml')))).toEqual({ minimumReleaseAgeExclude: ['@acme/core', '@acme/ui', 'left-pad'] });
    expect(existsSync(join(r.cwd, '.npmrc'))).toBe(false);
    expect(existsSync(join(r.cwd, 'pnpm-workspace.yaml'))).toBe(false);
  });
});

describe('fw registry setup --dry-run and errors', () => {
  it('--dry-run writes nothing and shows every file with the token redacted', async () => {
    const cwd = temp();
    writeFileSync(join(cwd, '.yarnrc.yml'), 'nodeLinker: pnp\n');
    const r = await fw(['registry', 'setup', 'yarn', '--dry-run'], { cwd });
    expect(r.code).toBe(0);
    expect(read(join(cwd, '.yarnrc.yml'))).toBe('nodeLinker: pnp\n');
    expect(existsSync(join(cwd, '.npmrc'))).toBe(false);
    expect(r.out).toContain(`would update ${join(cwd, '.yarnrc.yml')}`);
    expect(r.out).toContain(`would create ${join(cwd, '.npmrc')}`);
    expect(r.out).toContain('npmAuthToken: <redacted>');
    expect(r.out).toContain(`//${host}/:_authToken=<redacted>`);
    expect(r.out + r.err).not.toContain(token);
    const json = await fw(['registry', 'setup', 'bun', '--dry-run', '--json'], { cwd });
    const data = JSON.parse(json.out);
    expect(data).toMatchObject({ client: 'bun', dryRun: true, token: '<redacted>' });
    expect(data.files[0].content).toContain('token = "<redacted>"');
    expect(json.out).not.toContain(token);
    expect(existsSync(join(cwd, 'bunfig.toml'))).toBe(false);
  });

  it('without a token the config is written without one and the output says how to get one', async () => {
    const r = await fw(['registry', 'setup', 'npm'], { env: { FW_TOKEN: undefined } });
    expect(r.code).toBe(0);
    const parsed = ini.parse(read(join(r.cwd, '.npmrc')));
    expect(parsed.registry).toBe(`${server.url}/`);
    expect(Object.keys(parsed).some((k) => k.endsWith(':_authToken'))).toBe(false);
    expect(r.out).toContain('token: none (set FW_TOKEN');
  });

  it('a file that does not parse is left as it was, with one error line', async () => {
    const cwd = temp();
    mkdirSync(join(cwd, 'sub'));
    writeFileSync(join(cwd, '.yarnrc.yml'), 'npmScopes: [unclosed\n');
    const r = await fw(['registry', 'setup', 'yarn'], { cwd });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^fw: cannot merge into .*\.yarnrc\.yml: it does not parse/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(read(join(cwd, '.yarnrc.yml'))).toBe('npmScopes: [unclosed\n');
    expect(existsSync(join(cwd, '.npmrc'))).toBe(false);
  });

  it.each([
    [['registry', 'setup', 'cargo'], 'unknown client "cargo"'],
    [['registry', 'setup', 'npm', '--scope', 'Bad Scope'], '--scope must be a scope like @acme'],
    [['registry', 'setup', 'npm', '--user', '--project'], 'give --user or --project, not both'],
  ])('usage error %j exits 2', async (argv, message) => {
    const r = await fw(argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });
});
