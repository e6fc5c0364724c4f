import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_REGISTRY_URL, VersionManager, packumentUrl } from '../src/index.ts';

const PACKUMENT = { name: '@acme/tool', 'dist-tags': { latest: '1.1.0' }, versions: { '1.0.0': {}, '1.1.0': {} } };

function fakeFetch(respond: (url: string, init?: RequestInit) => Response | Promise<Response>) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const fetch = async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return respond(url, init);
  };
  return { fetch, calls };
}

describe('VersionManager', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('offers the plain operations', () => {
    const vm = new VersionManager();
    expect(vm.parse('1.2.3').major).toBe(1);
    expect(vm.compare('1.0.0', '2.0.0')).toBe(-1);
    expect(vm.recommend('1.2.3', 'minor').next).toBe('1.3.0');
    expect(vm.sort(['2.0.0', '1.0.0'])).toEqual(['1.0.0', '2.0.0']);
    expect(vm.graphFromPackument(PACKUMENT).current).toBe('1.1.0');
  });

  it('fetches the packument (scoped names encoded) and builds the graph', async () => {
    const { fetch, calls } = fakeFetch(() => Response.json(PACKUMENT));
    const vm = new VersionManager({ registryUrl: 'http://registry.test/', fetch, token: 's3cret' });
    const graph = await vm.buildVersionGraph('@acme/tool', { limit: 1 });
    expect(calls[0]!.url).toBe('http://registry.test/@acme%2ftool');
    expect((calls[0]!.init?.headers as Record<string, string>).authorization).toBe('Bearer s3cret');
    expect(graph).toMatchObject({ name: '@acme/tool', current: '1.1.0', total: 2, nodes: [{ id: '1.1.0', status: 'current' }] });
    expect(vm.planRollback(graph, '1.1.0').direction).toBe('none');
  });

  it('uses REGISTRY_URL, else the default', async () => {
    const { fetch, calls } = fakeFetch(() => Response.json({ ...PACKUMENT, name: 'tool' }));
    vi.stubEnv('REGISTRY_URL', 'http://from-env:1234');
    await new VersionManager({ fetch }).fetchPackument('tool');
    vi.stubEnv('REGISTRY_URL', '');
    await new VersionManager({ fetch }).fetchPackument('tool');
    expect(calls.map((c) => c.url)).toEqual(['http://from-env:1234/tool', `${DEFAULT_REGISTRY_URL}/tool`]);
  });

  it('turns failures into codes', async () => {
    const reject = (code: string) => expect.objectContaining({ code });
    await expect(new VersionManager({ fetch: fakeFetch(() => new Response('no', { status: 404 })).fetch }).buildVersionGraph('x')).rejects.toEqual(reject('PACKAGE_NOT_FOUND'));
    await expect(new VersionManager({ fetch: fakeFetch(() => new Response('oops', { status: 500 })).fetch }).buildVersionGraph('x')).rejects.toEqual(reject('FETCH_FAILED'));
    await expect(new VersionManager({ fetch: fakeFetch(() => new Response('{not json')).fetch }).buildVersionGraph('x')).rejects.toEqual(reject('FETCH_FAILED'));
    await expect(new VersionManager({ fetch: fakeFetch(() => Response.json([])).fetch }).buildVersionGraph('x')).rejects.toEqual(reject('INVALID_PACKUMENT'));
    const down = new VersionManager({ fetch: async () => { throw new TypeError('connection refused'); } });
    await expect(down.buildVersionGraph('x')).rejects.toEqual(expect.objectContaining({ code: 'FETCH_FAILED', cause: expect.any(TypeError) }));
    await expect(down.buildVersionGraph('../etc/passwd')).rejects.toEqual(reject('INVALID_PACKAGE_NAME'));
  });

  it('packumentUrl', () => {
    expect(packumentUrl('http://r/', 'lodash')).toBe('http://r/lodash');
    expect(packumentUrl('http://r', '@s/p')).toBe('http://r/@s%2fp');
  });
});

describe('VersionManager against a registry with graph, rollback and history routes', () => {
  const D3 = {
    name: 'demo', current: '1.3.0', latest: '2.0.0-beta.1', rollback: '1.2.0', distTags: { latest: '1.3.0', next: '2.0.0-beta.1' }, total: 4,
    nodes: [
      { id: '2.0.0-beta.1', status: 'rollback', tags: ['next'], publishedAt: null, publisher: 'ana', deprecated: null, line: '2.0.0-pre', prerelease: true, index: 0 },
      { id: '1.3.0', status: 'current', tags: ['latest'], publishedAt: null, publisher: 'ana', deprecated: null, line: '1.x', prerelease: false, index: 1 },
      { id: '1.2.0', status: 'rollback', tags: [], publishedAt: null, publisher: 'ana', deprecated: null, line: '1.x', prerelease: false, index: 2 },
      { id: '1.1.0', status: 'deprecated', tags: [], publishedAt: null, publisher: 'ana', deprecated: 'broken', line: '1.x', prerelease: false, index: 3 },
    ],
    links: [{ source: '1.1.0', target: '1.2.0', type: 'minor' }, { source: '1.2.0', target: '1.3.0', type: 'minor' }],
  };
  const json = (body: unknown, status = 200) => Response.json(body, { status });

  it('reads the graph route (a token lookup only when the anonymous read is refused) and falls back to the packument without it', async () => {
    const { fetch, calls } = fakeFetch((url, init) => ((init?.headers as Record<string, string>).authorization || !url.includes('private') ? json(D3) : json({ error: 'log in to access private' }, 401)));
    let lookups = 0;
    const vm = new VersionManager({ registryUrl: 'http://r.test', fetch, token: async () => { lookups++; return 'tok'; } });
    const graph = await vm.graph('demo', { range: '>=1', limit: 10, since: '2020-01-01' });
    expect(calls[0]!.url).toBe('http://r.test/-/fw/graph/demo?format=json&range=%3E%3D1&limit=10&since=2020-01-01');
    expect((calls[0]!.init?.headers as Record<string, string>).authorization).toBeUndefined();
    expect(lookups).toBe(0);
    await expect(vm.graph('private')).rejects.toMatchObject({ code: 'FETCH_FAILED', message: 'the registry sent an invalid graph for private' });
    expect(lookups).toBe(1);
    expect(calls.slice(1, 3).map((c) => (c.init?.headers as Record<string, string>).authorization)).toEqual([undefined, 'Bearer tok']);
    calls.length = 0;
    expect(graph).toMatchObject({ name: 'demo', current: '1.3.0', rollback: '1.2.0', distTags: { next: '2.0.0-beta.1' }, total: 4 });
    expect(graph.nodes[1]).toEqual({ id: '1.3.0', status: 'current', tags: ['latest'], publishedAt: null, publisher: 'ana', deprecated: null, line: '1.x', prerelease: false });
    expect(await vm.fetchGraph('@s/p', { format: 'ascii', color: true })).toEqual(JSON.stringify(D3));
    expect(calls[0]!.url).toBe('http://r.test/-/fw/graph/@s%2fp?format=ascii&color=1');

    const plain = fakeFetch((url) => (url.includes('/-/fw/') ? new Response('Not Found', { status: 404 }) : Response.json({ name: 'demo', 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': {} } })));
    const old = new VersionManager({ registryUrl: 'http://old.test', fetch: plain.fetch });
    expect((await old.graph('demo')).current).toBe('1.0.0');
    expect(await old.fetchGraph('demo', { format: 'ascii' })).toBeNull();
    expect(plain.calls.map((c) => c.url)).toEqual(['http://old.test/-/fw/graph/demo?format=json', 'http://old.test/demo', 'http://old.test/-/fw/graph/demo?format=ascii']);
  });

  it('rolls back with check-and-set on the plan, returns the graph before and after, and plans only on dryRun', async () => {
    let current = '1.3.0';
    const { fetch, calls } = fakeFetch(async (url, init) => {
      if (url.endsWith('/-/fw/rollback')) {
        const body = JSON.parse(String(init!.body));
        const from = current;
        current = body.version;
        return json({ changed: true, package: 'demo', tag: 'latest', from, to: current, 'dist-tags': { latest: current }, event: { type: 'rollback', actor: 'ana', time: 't', from, to: current, reason: body.reason } });
      }
      return json({ ...D3, current, rollback: current === '1.3.0' ? '1.2.0' : '1.3.0' });
    });
    const vm = new VersionManager({ registryUrl: 'http://r.test', fetch, token: 'tok' });
    const dry = await vm.rollback('demo', '1.2.0', { dryRun: true });
    expect(dry).toMatchObject({ changed: false, dryRun: true, after: null, result: null, plan: { from: '1.3.0', to: '1.2.0', direction: 'back' } });
    expect(calls).toHaveLength(1);
    const done = await vm.rollback('demo', '1.2.0', { reason: 'bad 1.3.0' });
    expect(JSON.parse(String(calls[2]!.init!.body))).toEqual({ package: 'demo', version: '1.2.0', tag: 'latest', from: '1.3.0', reason: 'bad 1.3.0' });
    expect(calls[2]!.init!.method).toBe('POST');
    expect(done).toMatchObject({ changed: true, before: { current: '1.3.0' }, after: { current: '1.2.0', rollback: '1.3.0' }, result: { event: { reason: 'bad 1.3.0' } } });
    // A token lookup: reads go anonymous, the write always carries the token.
    calls.length = 0;
    await new VersionManager({ registryUrl: 'http://r.test', fetch, token: () => 'looked-up' }).rollback('demo', '1.3.0');
    expect(calls.map((c) => `${c.init?.method ?? 'GET'} ${(c.init?.headers as Record<string, string>).authorization ?? '-'}`)).toEqual(['GET -', 'POST Bearer looked-up', 'GET -']);
  });

  it('refuses a missing or deprecated version before asking, and keeps the registry message of a refusal', async () => {
    const answer = (status: number, error: string) => fakeFetch((url) => (url.endsWith('/rollback') ? json({ error }, status) : json(D3))).fetch;
    const vm = (f: typeof fetch) => new VersionManager({ registryUrl: 'http://r.test', fetch: f as never });
    const ok = fakeFetch(() => json(D3));
    await expect(vm(ok.fetch as never).rollback('demo', '1.2.5')).rejects.toMatchObject({ code: 'VERSION_NOT_FOUND', message: 'demo@1.2.5 does not exist (nearest: 1.2.0, 1.3.0)' });
    await expect(vm(ok.fetch as never).rollback('demo', '1.1.0')).rejects.toMatchObject({ code: 'VERSION_DEPRECATED' });
    expect(ok.calls.every((c) => !c.url.endsWith('/rollback'))).toBe(true);
    await expect(vm(answer(403, 'bob may not publish demo') as never).rollback('demo', '1.2.0')).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'bob may not publish demo' });
    await expect(vm(answer(401, 'log in to publish demo') as never).rollback('demo', '1.2.0')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(vm(answer(409, 'latest of demo points at 1.0.0 now') as never).rollback('demo', '1.2.0')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(vm(answer(404, 'no route') as never).rollback('demo', '1.2.0')).rejects.toMatchObject({ code: 'FETCH_FAILED', message: expect.stringContaining('no rollback route') });
    await expect(vm(answer(500, 'internal error') as never).rollback('demo', '1.2.0')).rejects.toMatchObject({ code: 'FETCH_FAILED', message: 'internal error' });
    await expect(vm(fakeFetch(() => json({ name: 'other', nodes: [], links: [] })).fetch as never).graph('demo')).rejects.toMatchObject({ code: 'FETCH_FAILED' });
  });

  it('reads history with limit and type', async () => {
    const events = [{ type: 'rollback', actor: 'ana', time: 't2', from: '1.3.0', to: '1.2.0', reason: 'bad' }];
    const { fetch, calls } = fakeFetch(() => json({ name: '@s/p', events }));
    const vm = new VersionManager({ registryUrl: 'http://r.test/', fetch });
    expect(await vm.history('@s/p', { limit: 5, type: ['rollback', 'publish'] })).toEqual({ name: '@s/p', events });
    expect(calls[0]!.url).toBe('http://r.test/-/fw/history?package=%40s%2Fp&limit=5&type=rollback%2Cpublish');
    await expect(new VersionManager({ fetch: fakeFetch(() => json({ error: 'no history for x' }, 404)).fetch }).history('x')).rejects.toMatchObject({ code: 'PACKAGE_NOT_FOUND', message: 'no history for x' });
    await expect(new VersionManager({ fetch }).history('../x')).rejects.toMatchObject({ code: 'INVALID_PACKAGE_NAME' });
  });
});
