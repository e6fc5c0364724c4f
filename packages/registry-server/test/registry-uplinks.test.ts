import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '@factorywager/r2-store';
import type { PackageRule } from '../src/config/types.ts';
import { BASE, publish, setup, tarball, type Setup } from './_helpers.ts';

const rules: PackageRule[] = [
  { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'], proxy: ['upstream'] },
];

let stops: Array<() => void> = [];
afterEach(() => { for (const stop of stops) stop(); stops = []; });

/** A second instance of our handler, served on 127.0.0.1 by Bun.serve, as the upstream registry. */
function upstreamRegistry(): Setup & { url: string; stop: () => void } {
  let handler: (req: Request) => Response | Promise<Response> = async () => new Response(null, { status: 503 });
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (req) => handler(req) });
  const url = `http://127.0.0.1:${server.port}`;
  const up = setup({ publicUrl: url });
  handler = up.handler;
  let stopped = false;
  const stop = () => { if (!stopped) { stopped = true; server.stop(true); } };
  stops.push(stop);
  return { ...up, url, stop };
}

describe('uplinks', () => {
  it('proxies packuments and tarballs, keeps tarballs, honours maxage, lets local win, and serves the cache while the upstream is down', async () => {
    const up = upstreamRegistry();
    const upTgz = await tarball('@up/lib', '1.0.0');
    await publish(up, '@up/lib', '1.0.0', { tgz: upTgz });
    await publish(up, 'shared', '1.0.0');
    let t = Date.parse('2026-01-01T00:00:00Z');
    const down = setup({ rules, now: () => new Date(t), config: { publicUrl: BASE, packages: rules, uplinks: { upstream: { url: up.url, timeout: 2000, maxage: 60 } }, minReleaseAge: 0 } });

    const doc = await (await down.call('GET', '/@up%2flib')).json();
    expect(Object.keys(doc.versions)).toEqual(['1.0.0']);
    expect(doc.versions['1.0.0'].dist.tarball).toBe(`${BASE}/@up/lib/-/lib-1.0.0.tgz`);
    const abbr = await down.call('GET', '/@up/lib', { headers: { accept: 'application/vnd.npm.install-v1+json' } });
    expect((await abbr.json()).versions['1.0.0'].dist.integrity).toBe(doc.versions['1.0.0'].dist.integrity);

    const tgz = await down.call('GET', '/@up/lib/-/lib-1.0.0.tgz');
    expect(tgz.status).toBe(200);
    expect(Buffer.from(await tgz.arrayBuffer()).equals(Buffer.from(upTgz))).toBe(true);
    expect(await down.store.head('cache/uplinks/@up/lib/lib-1.0.0.tgz')).not.toBeNull();
    // The proxied package is cached, not published: it is not in the local package list.
    expect(await down.store.head(keys.manifest('@up/lib'))).toBeNull();

    // Within maxage the cached packument is served; after it, the upstream's new version shows.
    await publish(up, '@up/lib', '1.1.0');
    expect(Object.keys((await (await down.call('GET', '/@up/lib')).json()).versions)).toEqual(['1.0.0']);
    t += 61_000;
    expect(Object.keys((await (await down.call('GET', '/@up/lib')).json()).versions)).toEqual(['1.0.0', '1.1.0']);

    // A local package always wins over the upstream one.
    await publish(down, 'shared', '5.0.0');
    expect(Object.keys((await (await down.call('GET', '/shared')).json()).versions)).toEqual(['5.0.0']);
    expect((await down.call('GET', '/shared/-/shared-1.0.0.tgz')).status).toBe(404);

    expect((await down.call('GET', '/not-anywhere')).status).toBe(404);

    // Upstream down: the cached packument and the kept tarball are still served, even past maxage.
    up.stop();
    t += 3_600_000;
    const stale = await down.call('GET', '/@up/lib');
    expect(stale.status).toBe(200);
    expect(Object.keys((await stale.json()).versions)).toEqual(['1.0.0', '1.1.0']);
    expect((await down.call('GET', '/@up/lib/-/lib-1.0.0.tgz')).status).toBe(200);
    const missing = await down.call('GET', '/never-cached');
    expect(missing.status).toBe(502);
    expect((await missing.json()).error).toContain('no uplink answered');
    expect((await down.call('GET', '/@up/lib/-/lib-1.1.0.tgz')).status).toBe(502);
  });

  it('refuses an upstream tarball that fails its integrity check', async () => {
    const up = upstreamRegistry();
    await publish(up, 'tampered', '1.0.0');
    const down = setup({ rules, config: { publicUrl: BASE, packages: rules, uplinks: { upstream: { url: up.url, timeout: 2000, maxage: 60 } }, minReleaseAge: 0 } });
    expect((await down.call('GET', '/tampered')).status).toBe(200);
    await up.store.put(keys.tarball('tampered', 'tampered-1.0.0.tgz'), await tarball('tampered', '1.0.0', { evil: true }));
    const res = await down.call('GET', '/tampered/-/tampered-1.0.0.tgz');
    expect(res.status).toBe(502);
    expect((await res.json()).error).toContain('integrity');
    expect(await down.store.head('cache/uplinks/tampered/tampered-1.0.0.tgz')).toBeNull();
  });
});
