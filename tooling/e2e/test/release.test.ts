// Releases: the API docs build with no TypeDoc warning, changesets version only what changed (and its
// dependents), and every public package passes publint and `bun publish --dry-run` as built.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binOf, withPackagingLock } from '../src/packaging.ts';
import { repoRoot as root } from '../src/registry-process.ts';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 32 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Every workspace package folder (packages/*, apps/*, tooling/*) with its manifest. */
function workspace(base: string): Map<string, { dir: string; manifest: Manifest }> {
  const found = new Map<string, { dir: string; manifest: Manifest }>();
  for (const group of ['packages', 'apps', 'tooling']) {
    for (const entry of readdirSync(join(base, group))) {
      const file = join(base, group, entry, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      found.set(manifest.name, { dir: join(group, entry), manifest });
    }
  }
  return found;
}

const publicPackages = [...workspace(root).values()].filter((p) => p.dir.startsWith('packages/') && !p.manifest.private);

/** A copy of the committed tree's files (as on a fresh clone) in a new git repository on `main`. */
function cloneTree(): string {
  const dir = temp('fw-release-clone-');
  const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root).out.split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(root, file), join(dir, file));
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const git = (...args: string[]) => expect(run('git', ['-c', 'user.name=release-test', '-c', 'user.email=release@test.invalid', ...args], dir).status).toBe(0);
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'clone');
  return dir;
}

// @changesets/cli 3 needs a newer Node than 20 (module.enableCompileCache), so it runs on Bun.
const changeset = (cwd: string, ...args: string[]) => run('bun', ['--bun', join(root, 'node_modules/@changesets/cli/bin.js'), ...args], cwd);

describe('TypeDoc', () => {
  it('builds the API docs of every package with no warning (treatWarningsAsErrors)', () => {
    const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as { treatWarningsAsErrors?: boolean };
    expect(config.treatWarningsAsErrors).toBe(true);
    const out = temp('fw-typedoc-');
    const r = run(binOf('typedoc'), ['--out', out], root);
    expect(r.out).not.toMatch(/\[warning\]|\[error\]/);
    expect(r.status, r.out).toBe(0);
    for (const pkg of publicPackages) expect(r.out).toContain(`Converting project at ./${pkg.dir}`);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
  }, 480_000);
});

describe('changesets', () => {
  it('`changeset status` passes on a clean clone; every public package has a CHANGELOG whose newest section is its version, and no pending changeset repeats one', () => {
    const dir = cloneTree();
    const r = changeset(dir, 'status');
    expect(r.status, r.out).toBe(0);
    const pending = readdirSync(join(dir, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    for (const pkg of publicPackages) {
      const changelog = readFileSync(join(root, pkg.dir, 'CHANGELOG.md'), 'utf8');
      expect(changelog.startsWith(`# ${pkg.manifest.name}\n`), `${pkg.dir}/CHANGELOG.md`).toBe(true);
      expect(/^## (\S+)$/m.exec(changelog)?.[1], `${pkg.dir}/CHANGELOG.md`).toBe(pkg.manifest.version);
      // a changeset already written into the CHANGELOG would be released twice by `changeset version`
      for (const f of pending) {
        const text = readFileSync(join(dir, '.changeset', f), 'utf8').split('---')[2]!.trim().split('\n')[0]!;
        expect(changelog.includes(text), `.changeset/${f} is already in ${pkg.dir}/CHANGELOG.md`).toBe(false);
      }
    }
  }, 120_000);

  it('`changeset version` with a changeset for semver-graph alone bumps it and its dependents, nothing else', () => {
    const dir = cloneTree();
    for (const f of readdirSync(join(dir, '.changeset'))) if (f.endsWith('.md')) rmSync(join(dir, '.changeset', f));
    writeFileSync(join(dir, '.changeset', 'only-semver-graph.md'), '---\n"@factorywager/semver-graph": minor\n---\n\nA new export.\n');
    const before = workspace(dir);
    const r = changeset(dir, 'version');
    expect(r.status, r.out).toBe(0);
    const after = workspace(dir);

    // What should move: semver-graph, and every public package that depends on it, directly or not.
    const expected = new Set(['@factorywager/semver-graph']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [name, { manifest }] of before) {
        if (manifest.private || expected.has(name)) continue;
        const deps = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
        if (Object.keys(deps).some((d) => expected.has(d))) {
          expected.add(name);
          grew = true;
        }
      }
    }
    expect(expected.size).toBeGreaterThan(2);
    expect(expected.has('@factorywager/registry-server')).toBe(true);

    const bumped = new Set([...after].filter(([name, p]) => p.manifest.version !== before.get(name)?.manifest.version).map(([name]) => name));
    expect([...bumped].sort()).toEqual([...expected].sort());
    const [major, minor] = before.get('@factorywager/semver-graph')!.manifest.version.split('.').map(Number);
    expect(after.get('@factorywager/semver-graph')!.manifest.version).toBe(`${major}.${minor! + 1}.0`);
    for (const name of expected) {
      const changelog = readFileSync(join(dir, after.get(name)!.dir, 'CHANGELOG.md'), 'utf8');
      expect(changelog).toContain(`## ${after.get(name)!.manifest.version}`);
    }
    // Private apps and tooling keep their versions (they are never published).
    for (const [name, p] of after) if (p.manifest.private) expect(p.manifest.version).toBe(before.get(name)!.manifest.version);
  }, 120_000);
});

describe('publish dry-run of every public package, as built', () => {
  it.each(publicPackages.map((p) => [p.manifest.name, p] as const))('%s passes publint and `bun publish --dry-run`', async (name, pkg) => {
    const dir = join(root, pkg.dir);
    const dest = temp('fw-publish-');
    const { lint, dry, packed } = await withPackagingLock(() => {
      const packed = run('bun', ['pm', 'pack', '--destination', dest], dir);
      const lint = run(binOf('publint'), ['run', '--strict'], dir);
      // A closed port and a dummy token: a dry run sends nothing, and must not need a login.
      const dry = run('bun', ['publish', '--dry-run', '--registry', 'http://127.0.0.1:9/'], dir, { NPM_CONFIG_TOKEN: 'dry-run' });
      return { lint, dry, packed };
    });
    expect(packed.status, packed.out).toBe(0);
    expect(lint.status, lint.out).toBe(0);
    expect(lint.out).not.toMatch(/Warnings:|Errors:/);
    expect(dry.status, dry.out).toBe(0);
    expect(dry.out).toContain(`+ ${name}@${pkg.manifest.version} (dry-run)`);
    expect(dry.out).toMatch(/packed .* dist\/index\.js/);

    // What would be published: the built files, and no `workspace:` range left in the manifest.
    const tgz = readdirSync(dest).find((f) => f.endsWith('.tgz'));
    expect(tgz).toBeDefined();
    const listing = run('tar', ['-tzf', join(dest, tgz!)], dest).out;
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/README.md');
    expect(listing).toContain('package/LICENSE');
    expect(readFileSync(join(root, pkg.dir, 'LICENSE'), 'utf8'), `${pkg.dir}/LICENSE`).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
    const published = JSON.parse(run('tar', ['-xzOf', join(dest, tgz!), 'package/package.json'], dest).out) as Manifest;
    const versions = new Map(publicPackages.map((p) => [p.manifest.name, p.manifest.version]));
    for (const [dep, range] of Object.entries({ ...published.dependencies, ...published.peerDependencies })) {
      expect(range, `${name} -> ${dep}`).not.toMatch(/^workspace:/);
      if (versions.has(dep)) expect(range, `${name} -> ${dep}`).toBe(versions.get(dep));
    }
  }, 120_000);
});
