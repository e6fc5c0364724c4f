import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTarGzip } from 'nanotar';
import { overHttp, publish, publishBody, setup, snapshot, tarball, type CallOptions } from './_helpers.ts';

type Body = Awaited<ReturnType<typeof publishBody>>;
const clone = (b: Body): Body => structuredClone(b);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const sha512 = (bytes: Uint8Array) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

/** A publish body whose attachment is `tgz` with matching hashes (so only the tarball is wrong). */
async function withTarball(name: string, version: string, tgz: Uint8Array): Promise<Body> {
  const body = await publishBody(name, version);
  const v = body.versions[version]!;
  v.dist.integrity = sha512(tgz);
  v.dist.shasum = sha1(tgz);
  const att = Object.values(body._attachments)[0]!;
  att.data = b64(tgz);
  att.length = tgz.byteLength;
  return body;
}

interface Case {
  what: string;
  method: string;
  path: string;
  opts?: CallOptions;
  status: number;
}

describe.each(['in-process', 'over HTTP'])('hostile input (%s)', (mode) => {
  let stop = () => {};
  afterEach(() => stop());

  it('answers every hostile request with a 4xx JSON error, stays healthy, and leaves the store byte for byte unchanged', async () => {
    let s = setup({ maxBodySize: 256 * 1024 });
    if (mode === 'over HTTP') {
      const served = overHttp(s);
      stop = served.stop;
      s = served;
    }
    await publish(s, 'victim', '1.0.0');
    await publish(s, 'victim', '1.1.0');
    await publish(s, '@acme/victim', '1.0.0');
    await publish(s, '@locked/vault', '1.0.0', { token: 'tok-admin' });
    await s.handler.idle();
    const before = await snapshot(s.store);
    const rev = (await (await s.call('GET', '/victim?write=true')).json())._rev as string;

    const good = await publishBody('victim', '2.0.0');
    const v2 = (b: Body) => b.versions['2.0.0']!;
    const att = (b: Body) => Object.values(b._attachments)[0]!;
    const mutate = (fn: (b: Body) => void) => { const b = clone(good); fn(b); return b; };
    const put = (what: string, body: unknown, status = 400, path = '/victim', token = 'tok-ana'): Case =>
      ({ what, method: 'PUT', path, opts: { token, body }, status });
    const deprecateDoc = async () => (await (await s.call('GET', '/victim?write=true')).json()) as Record<string, Record<string, Record<string, unknown>>>;

    const bigZeros = new Uint8Array(1100 * 1024);
    const bomb = await createTarGzip([{ name: 'package/package.json', data: JSON.stringify({ name: 'victim', version: '2.0.0' }) }, { name: 'package/zeros.bin', data: bigZeros }]);
    const noPkgJson = await createTarGzip([{ name: 'package/index.js', data: 'x' }]);
    const badPkgJson = await createTarGzip([{ name: 'package/package.json', data: '{ nope' }]);
    const overLimit = 'x'.repeat(300 * 1024);
    const streamed = new ReadableStream<Uint8Array>({
      start(c) { for (let i = 0; i < 40; i++) c.enqueue(new Uint8Array(16 * 1024).fill(32)); c.close(); },
    });
    const dropping = await deprecateDoc();
    delete dropping.versions!['1.0.0'];
    dropping.versions!['1.1.0']!.deprecated = 'bye';
    const unknownVersion = await deprecateDoc();
    unknownVersion.versions!['9.9.9'] = { name: 'victim', version: '9.9.9' };
    const numericDeprecation = await deprecateDoc();
    numericDeprecation.versions!['1.0.0']!.deprecated = 42 as unknown as string;
    const protoKey = await deprecateDoc();
    for (const key of ['__proto__', 'constructor']) {
      Object.defineProperty(protoKey.versions!, key, { value: { deprecated: 'polluted' }, enumerable: true });
    }
    const staleUnpublish = await deprecateDoc();
    delete staleUnpublish.versions!['1.1.0'];

    const deep = JSON.stringify(good).replace('"readme":"# victim"', `"x":${'['.repeat(110_000)}${']'.repeat(110_000)},"readme":"# victim"`);
    const cases: Case[] = [
      { what: 'traversal in name', method: 'GET', path: '/..%2f..%2fetc', status: 400 },
      { what: 'traversal to passwd', method: 'GET', path: '/..%2f..%2fetc%2fpasswd', status: 400 },
      { what: 'encoded dots', method: 'GET', path: '/%2e%2e%2fetc', status: 400 },
      { what: 'traversal in scope', method: 'GET', path: '/@..%2fpackages', status: 400 },
      { what: 'traversal after scope', method: 'GET', path: '/@acme/..%2f..%2fetc', status: 400 },
      { what: 'traversal in tarball file', method: 'GET', path: '/victim/-/..%2f..%2fmanifest.json', status: 404 },
      { what: 'tarball of another package', method: 'GET', path: '/victim/-/other-1.0.0.tgz', status: 404 },
      { what: 'tarball path with extra traversal', method: 'GET', path: '/victim/-/victim-1.0.0.tgz%2f..%2f..%2fmanifest.json', status: 404 },
      { what: 'malformed percent-encoding', method: 'GET', path: '/%E0%A4%A', status: 400 },
      { what: 'too long name', method: 'GET', path: `/${'a'.repeat(300)}`, status: 400 },
      put('publish with traversal name', good, 400, '/..%2f..%2fetc'),
      put('publish scoped traversal', good, 400, '/@acme%2f..%2f..%2fx'),
      put('publish dot name', good, 400, '/.hidden'),
      put('publish capital letters', good, 400, '/Victim'),
      put('publish excluded name', good, 400, '/node_modules'),
      put('publish core module name', good, 400, '/http'),
      { what: 'malformed JSON', method: 'PUT', path: '/victim', opts: { token: 'tok-ana', raw: '{"name":', headers: { 'content-type': 'application/json' } }, status: 400 },
      { what: 'JSON array body', method: 'PUT', path: '/victim', opts: { token: 'tok-ana', body: [] }, status: 400 },
      { what: 'body over the limit (Content-Length)', method: 'PUT', path: '/victim', opts: { token: 'tok-ana', raw: overLimit }, status: 413 },
      { what: 'body over the limit (streamed)', method: 'PUT', path: '/victim', opts: { token: 'tok-ana', raw: streamed }, status: 413 },
      put('invalid version', mutate((b) => { b.versions = { '1.0': { ...v2(b), version: '1.0' } }; })),
      put('v-prefixed version', mutate((b) => { b.versions = { 'v2.0.0': { ...v2(b), version: 'v2.0.0' } }; })),
      put('traversal as version', mutate((b) => { b.versions = { '../../x': { ...v2(b), version: '../../x' } }; })),
      put('integrity mismatch', mutate((b) => { v2(b).dist.integrity = sha512(new Uint8Array([1, 2, 3])); })),
      put('shasum mismatch', mutate((b) => { v2(b).dist.shasum = '0'.repeat(40); })),
      put('length mismatch', mutate((b) => { att(b).length += 1; })),
      put('integrity without sha512', mutate((b) => { v2(b).dist.integrity = 'sha1-AAAA'; })),
      put('no hashes at all', mutate((b) => { v2(b).dist = { tarball: 'x' } as never; })),
      put('attachment not base64', mutate((b) => { att(b).data = '***not base64***'; })),
      put('attachment data not a string', mutate((b) => { (att(b) as { data: unknown }).data = 12; })),
      put('name in body differs from path', mutate((b) => { b.name = 'other'; })),
      put('version key differs from manifest version', mutate((b) => { v2(b).version = '2.0.1'; })),
      put('manifest name differs from path', mutate((b) => { v2(b).name = 'other'; })),
      put('two versions in one body', mutate((b) => { b.versions['2.0.1'] = { ...v2(b), version: '2.0.1' }; })),
      put('two attachments', mutate((b) => { b._attachments['x.tgz'] = att(b); })),
      put('dist-tag pointing elsewhere', mutate((b) => { b['dist-tags'] = { latest: '1.0.0' }; })),
      put('dist-tag named like a range', mutate((b) => { b['dist-tags'] = { '^2': '2.0.0' }; })),
      put('tarball says another version', await withTarball('victim', '2.0.0', await tarball('victim', '2.0.1'))),
      put('tarball says another name', await withTarball('victim', '2.0.0', await tarball('evil', '2.0.0'))),
      put('attachment is not gzip', await withTarball('victim', '2.0.0', new TextEncoder().encode('plain text, no gzip'))),
      put('tarball without package.json', await withTarball('victim', '2.0.0', noPkgJson)),
      put('tarball with broken package.json', await withTarball('victim', '2.0.0', badPkgJson)),
      put('gzip bomb', await withTarball('victim', '2.0.0', bomb), 413),
      { what: 'manifest nested too deeply to store', method: 'PUT', path: '/victim', opts: { token: 'tok-ana', raw: deep, headers: { 'content-type': 'application/json' } }, status: 400 },
      put('republish existing version', await publishBody('victim', '1.0.0'), 403),
      put('deprecate payload dropping a version', dropping),
      put('deprecate payload adding a version', unknownVersion),
      put('deprecated not a string', numericDeprecation),
      put('deprecate payload with __proto__ and constructor versions', protoKey),
      put('unpublish at a stale revision', staleUnpublish, 409, '/victim/-rev/1-stale'),
      put('revision PUT dropping every version', { name: 'victim' }, 400, `/victim/-rev/${rev}`),
      { what: 'whole unpublish at a stale revision', method: 'DELETE', path: '/victim/-rev/0-nope', opts: { token: 'tok-ana' }, status: 409 },
      { what: 'delete the tarball of a live version', method: 'DELETE', path: `/victim/-/victim-1.0.0.tgz/-rev/${rev}`, opts: { token: 'tok-ana' }, status: 409 },
      { what: 'dist-tag to a non-version', method: 'PUT', path: '/-/package/victim/dist-tags/next', opts: { token: 'tok-ana', body: 'not-a-version' }, status: 400 },
      { what: 'dist-tag to a missing version', method: 'PUT', path: '/-/package/victim/dist-tags/next', opts: { token: 'tok-ana', body: '9.9.9' }, status: 404 },
      { what: 'dist-tag body not JSON', method: 'PUT', path: '/-/package/victim/dist-tags/next', opts: { token: 'tok-ana', raw: '1.0.0' }, status: 400 },
      { what: 'dist-tag named like a version', method: 'PUT', path: '/-/package/victim/dist-tags/1.0.0', opts: { token: 'tok-ana', body: '1.0.0' }, status: 400 },
      { what: 'remove latest', method: 'DELETE', path: '/-/package/victim/dist-tags/latest', opts: { token: 'tok-ana' }, status: 400 },
      { what: 'remove a missing tag', method: 'DELETE', path: '/-/package/victim/dist-tags/nope', opts: { token: 'tok-ana' }, status: 404 },
      { what: 'remove a tag named like an Object.prototype key', method: 'DELETE', path: '/-/package/victim/dist-tags/constructor', opts: { token: 'tok-ana' }, status: 404 },
      { what: 'dist-tag named __proto__', method: 'PUT', path: '/-/package/victim/dist-tags/__proto__', opts: { token: 'tok-ana', body: '1.0.0' }, status: 400 },
      { what: 'dist-tags of traversal name', method: 'GET', path: '/-/package/..%2f..%2fetc/dist-tags', status: 400 },
      put('anonymous publish', good, 401, '/victim', ''),
      put('unknown token', good, 401, '/victim', 'forged-token'),
      put('read-only token publishing', good, 403, '/victim', 'tok-ro'),
      put('publishing over a locked package against the rules', await publishBody('@locked/vault', '2.0.0'), 403, '/@locked%2fvault', 'tok-bob'),
      { what: 'anonymous unpublish', method: 'DELETE', path: `/victim/-rev/${rev}`, status: 401 },
      { what: 'anonymous dist-tag', method: 'PUT', path: '/-/package/victim/dist-tags/next', opts: { body: '1.0.0' }, status: 401 },
      { what: 'anonymous read of a locked package', method: 'GET', path: '/@locked%2fvault', status: 401 },
      { what: 'missing package', method: 'GET', path: '/does-not-exist', status: 404 },
      { what: 'unknown route on a package', method: 'POST', path: '/victim', opts: { token: 'tok-ana' }, status: 404 },
    ];
    expect(cases.length).toBeGreaterThanOrEqual(40);

    for (const c of cases) {
      const res = await s.call(c.method, c.path, c.opts);
      const text = await res.text();
      expect(res.status, `${c.what}: ${text}`).toBe(c.status);
      expect(res.headers.get('content-type'), c.what).toContain('application/json');
      const body = JSON.parse(text);
      expect(typeof body.error, c.what).toBe('string');
      expect(body.error.length, c.what).toBeGreaterThan(0);
      expect(text, c.what).not.toMatch(/at .*\.ts:\d+/);
    }

    await s.handler.idle();
    expect(await snapshot(s.store)).toEqual(before);
    expect(s.logs.filter((l) => l.status >= 500)).toEqual([]);
    expect(({} as Record<string, unknown>).deprecated).toBeUndefined();
    expect((await s.call('GET', '/-/ping')).status).toBe(200);
    expect((await s.call('GET', '/victim')).status).toBe(200);
    expect((await s.call('PUT', '/victim', { token: 'tok-ana', body: good })).status).toBe(201);
  });
});
