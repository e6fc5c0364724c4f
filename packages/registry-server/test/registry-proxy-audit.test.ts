import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { PackageRule } from '../src/config/types.ts';
import { BASE, publish, setup } from './_helpers.ts';
import { craftedUpstream, type CraftedUpstream } from './_upstream.ts';

const open: PackageRule = { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'], proxy: ['upstream'] };
const reserved: PackageRule = { pattern: '@acme/*', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'], private: true };
const internal: PackageRule = { pattern: 'acme-*', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] };

let stops: Array<() => void> = [];
afterEach(() => { for (const stop of stops.splice(0)) stop(); });

function upstream(): CraftedUpstream {
  const up = craftedUpstream();
  stops.push(up.stop);
  up.answer.set('/-/npm/v1/security/advisories/bulk', (body) => {
    const asked = JSON.parse(body) as Record<string, string[]>;
    return Response.json(asked.lodash ? { lodash: [{ id: 1523, title: 'Prototype Pollution', severity: 'high', vulnerable_versions: '<4.17.19', url: 'https://advisories.test/1523' }] } : {});
  });
  up.answer.set('/-/npm/v1/security/audits/quick', (body) => {
    const tree = JSON.parse(body) as { dependencies: Record<string, { version: string }> };
    const advisories = tree.dependencies.lodash ? { 1523: { id: 1523, module_name: 'lodash', severity: 'high' } } : {};
    return Response.json({ actions: [], advisories, muted: [], metadata: { vulnerabilities: { high: Object.keys(advisories).length }, dependencies: Object.keys(tree.dependencies).length, devDependencies: 0, optionalDependencies: 0, totalDependencies: Object.keys(tree.dependencies).length } });
  });
  return up;
}

const proxying = (up: CraftedUpstream, rules: PackageRule[] = [reserved, internal, open]) =>
  setup({ rules, config: { publicUrl: BASE, packages: rules, uplinks: { upstream: { url: up.url, timeout: 2000, maxage: 0 } } } });

const auditRequest = { lodash: ['4.17.15'], 'left-pad': ['1.3.0'], '@acme/ui': ['1.0.0'], 'acme-tools': ['2.0.0'], 'mine-local': ['1.0.0'] };

describe('audit forwarding', () => {
  it('forwards the bulk request without any private name (published here, reserved, or unproxied) and returns the upstream advisories', async () => {
    const up = upstream();
    const s = proxying(up);
    await publish(s, 'mine-local', '1.0.0');
    // npm 11 sends the bulk request gzipped
    const res = await s.call('POST', '/-/npm/v1/security/advisories/bulk', { raw: gzipSync(JSON.stringify(auditRequest)), headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ lodash: [expect.objectContaining({ id: 1523, severity: 'high' })] });
    const sent = up.requests.filter((r) => r.path.startsWith('/-/npm/v1/security/'));
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.body)).toEqual({ lodash: ['4.17.15'], 'left-pad': ['1.3.0'] });
    for (const name of ['@acme', 'acme-tools', 'mine-local']) expect(sent[0]!.body).not.toContain(name);
  });

  it('an error, never {}, when every name is private (nobody audits them) or when no uplink answers or none exists; {} for an empty request', async () => {
    const up = upstream();
    const s = proxying(up);
    await publish(s, 'mine-local', '1.0.0');
    const onlyPrivate = await s.call('POST', '/-/npm/v1/security/advisories/bulk', { body: { '@acme/ui': ['1.0.0'], 'mine-local': ['1.0.0'] } });
    expect(onlyPrivate.status).toBe(503);
    expect((await onlyPrivate.json()).error).toBe('the audit cannot be done: all 2 packages asked about are published here (or reserved), and no advisory database covers packages published here');
    const quickPrivate = await s.call('POST', '/-/npm/v1/security/audits/quick', { body: { name: 'app', version: '1.0.0', requires: { 'mine-local': '^1.0.0' }, dependencies: { 'mine-local': { version: '1.0.0' } } } });
    expect(quickPrivate.status).toBe(503);
    expect((await quickPrivate.json()).error).toMatch(/^the audit cannot be done: the one package asked about is published here/);
    expect(up.requests).toEqual([]);
    const empty = await s.call('POST', '/-/npm/v1/security/advisories/bulk', { body: {} });
    expect([empty.status, await empty.json()]).toEqual([200, {}]);

    up.failWith = 405;
    const refused = await s.call('POST', '/-/npm/v1/security/advisories/bulk', { body: auditRequest });
    expect(refused.status).toBe(502);
    expect((await refused.json()).error).toBe('the audit could not be done: no uplink answered for 2 packages (upstream answered 405)');
    up.stop();
    const down = await s.call('POST', '/-/npm/v1/security/advisories/bulk', { body: auditRequest });
    expect(down.status).toBe(502);
    expect((await down.json()).error).toMatch(/^the audit could not be done: no uplink answered for 2 packages/);

    const off = setup({ rules: [reserved, { ...open, proxy: undefined }], config: { publicUrl: BASE, packages: [], uplinks: {} } });
    const none = await off.call('POST', '/-/npm/v1/security/advisories/bulk', { body: { '@acme/ui': ['1.0.0'] } });
    expect(none.status).toBe(503);
    expect((await none.json()).error).toMatch(/^the audit cannot be done: this registry has no uplink/);
  });

  it('forwards the quick audit with private packages pruned from the tree, the project name and resolved links removed', async () => {
    const up = upstream();
    const s = proxying(up);
    const tree = {
      name: 'acme-secret-app', version: '3.1.4',
      requires: { lodash: '^4.17.0', '@acme/ui': '^1.0.0' },
      dependencies: {
        lodash: { version: '4.17.15', integrity: 'sha512-x', resolved: 'https://npm.acme.internal/lodash/-/lodash-4.17.15.tgz' },
        '@acme/ui': { version: '1.0.0', requires: { 'left-pad': '^1.3.0' }, dependencies: { 'left-pad': { version: '1.3.0' } } },
      },
    };
    const res = await s.call('POST', '/-/npm/v1/security/audits/quick', { body: tree });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ advisories: { 1523: { module_name: 'lodash' } }, metadata: { vulnerabilities: { high: 1 } } });
    const sent = up.requests.find((r) => r.path === '/-/npm/v1/security/audits/quick')!;
    expect(JSON.parse(sent.body)).toEqual({ name: 'audited-project', version: '0.0.0', requires: { lodash: '^4.17.0' }, dependencies: { lodash: { version: '4.17.15', integrity: 'sha512-x' } } });
    for (const secret of ['acme', 'resolved']) expect(sent.body).not.toContain(secret);
  });

  it('refuses malformed audit bodies with a 4xx JSON error', async () => {
    const s = proxying(upstream());
    expect((await s.call('POST', '/-/npm/v1/security/advisories/bulk', { body: ['lodash'] })).status).toBe(400);
    expect((await s.call('POST', '/-/npm/v1/security/advisories/bulk', { body: { lodash: '4.17.15' } })).status).toBe(400);
    expect((await s.call('POST', '/-/npm/v1/security/advisories/bulk', { raw: 'not gzip', headers: { 'content-encoding': 'gzip' } })).status).toBe(400);
    expect((await s.call('POST', '/-/npm/v1/security/advisories/bulk', { raw: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await s.call('POST', '/-/npm/v1/security/advisories/bulk', { raw: 'x', headers: { 'content-encoding': 'br' } })).status).toBe(400);
  });
});

describe('search merge', () => {
  const searchUpstream = (delayMs = 0) => {
    const up = craftedUpstream();
    stops.push(up.stop);
    const objects = (names: string[]) => names.map((name) => ({ package: { name, version: '1.0.0', description: `${name} upstream` }, score: { final: 0.5 }, searchScore: 0.5 }));
    up.answer.set('/-/v1/search', () => new Response(
      new ReadableStream({ async start(c) { await Bun.sleep(delayMs); c.enqueue(new TextEncoder().encode(JSON.stringify({ objects: objects(['color-upstream', 'color-shared', '@acme/color']), total: 3, time: new Date().toUTCString() }))); c.close(); } }),
      { headers: { 'content-type': 'application/json' } },
    ));
    return up;
  };

  it('lists local results first, then upstream ones for names not here (never a local or reserved namesake), each marked', async () => {
    const up = searchUpstream();
    const s = proxying(up);
    await publish(s, 'color-local', '1.0.0');
    await publish(s, 'color-shared', '2.0.0');
    // A package installed through the proxy before is kept here, and the local answer lists it.
    await up.add('color-cached', '1.0.0');
    expect((await s.call('GET', '/color-cached')).status).toBe(200);
    const res = await (await s.call('GET', '/-/v1/search?text=color&size=10')).json();
    expect(res.objects.map((o: any) => [o.package.name, o.origin, o.uplink ?? o.cached])).toEqual([
      ['color-cached', 'upstream', true], ['color-local', 'local', undefined], ['color-shared', 'local', undefined], ['color-upstream', 'upstream', 'upstream'],
    ]);
    expect(res.objects[2].package.version).toBe('2.0.0');
    expect(res.total).toBe(6);
    expect(res.fw).toEqual({ uplinks: { upstream: 'ok' } });
    expect(up.requests.at(-1)!.path).toBe('/-/v1/search?text=color&size=10&from=0');
  });

  it('answers within the timeout without a slow uplink, and never sends a query that names a private package or scope', async () => {
    const up = searchUpstream(3000);
    const rules = [reserved, internal, open];
    const s = setup({ rules, config: { publicUrl: BASE, packages: rules, uplinks: { upstream: { url: up.url, timeout: 10_000, maxage: 0 } }, upstreamSearchTimeout: 200 } });
    await publish(s, 'color-local', '1.0.0');
    // The uplink answers after 3 s; the search does not wait for it.
    const res = await (await s.call('GET', '/-/v1/search?text=color')).json();
    expect(res.objects.map((o: any) => o.package.name)).toEqual(['color-local']);
    expect(res.fw).toEqual({ uplinks: { upstream: 'timeout' } });
    const before = up.requests.length;
    for (const text of ['@acme', '@acme/ui', 'scope:acme', 'acme-tools', 'color-local']) {
      const r = await (await s.call('GET', `/-/v1/search?text=${encodeURIComponent(text)}`)).json();
      expect(r.fw, text).toEqual({ uplinks: { upstream: 'skipped' } });
    }
    expect(up.requests.length).toBe(before);
  });
});
