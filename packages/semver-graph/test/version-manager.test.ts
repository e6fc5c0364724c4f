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
