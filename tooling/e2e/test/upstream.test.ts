import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmClient } from '../src/clients/npm.ts';
import { consumerProject } from '../src/fixtures.ts';
import { startRegistry, type RegistryProcess } from '../src/registry-process.ts';
import { startUpstream, type TestUpstream } from '../src/upstream.ts';
import { createWorkspace, type ClientWorkspace } from '../src/workspace.ts';

describe('the test upstream behind a registry process', () => {
  let up: TestUpstream;
  let registry: RegistryProcess;
  let ws: ClientWorkspace;
  beforeAll(async () => {
    up = await startUpstream();
    await up.publish('fw-up-dep', '1.0.0');
    await up.publish('fw-up-lib', '2.1.0', { dependencies: { 'fw-up-dep': '^1.0.0' } });
    registry = await startRegistry({ upstream: up.url });
    ws = createWorkspace(registry.url);
  });
  afterAll(async () => {
    ws?.remove();
    await registry?.stop();
    await up?.stop();
  });

  it('serves packuments with ETag and Last-Modified and answers a conditional GET with 304', async () => {
    const first = await fetch(`${up.url}/fw-up-lib`);
    const doc = (await first.json()) as { time: Record<string, string>; versions: Record<string, { dist: { tarball: string } }> };
    expect(Object.keys(doc.versions)).toEqual(['2.1.0']);
    expect(Date.now() - Date.parse(doc.time['2.1.0']!)).toBeGreaterThan(29 * 86_400_000);
    const etag = first.headers.get('etag')!;
    expect((await fetch(`${up.url}/fw-up-lib`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${up.url}/fw-up-lib`, { headers: { 'if-modified-since': first.headers.get('last-modified')! } })).status).toBe(304);
    expect((await fetch(doc.versions['2.1.0']!.dist.tarball)).status).toBe(200);
    expect((await fetch(`${up.url}/not-there`)).status).toBe(404);
  });

  it('npm installs an upstream package and its dependency through the registry; the upstream saw the requests', async () => {
    const project = consumerProject(ws.dir('consumer'), { 'fw-up-lib': '^2.0.0' });
    await npmClient(ws).install(project);
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/fw-up-lib/package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe('2.1.0');
    expect(existsSync(join(project, 'node_modules/fw-up-dep/index.js'))).toBe(true);
    const paths = up.requests.map((r) => `${r.method} ${r.url}`);
    expect(paths).toEqual(expect.arrayContaining(['GET /fw-up-lib', 'GET /fw-up-dep', 'GET /fw-up-lib/-/fw-up-lib-2.1.0.tgz']));
  });

  it('answers bulk advisories for the versions in range and records the body', async () => {
    up.addAdvisory('fw-up-dep', { id: 1, title: 'Prototype pollution', severity: 'high', vulnerable_versions: '<1.0.1' });
    const res = await fetch(`${up.url}/-/npm/v1/security/advisories/bulk`, { method: 'POST', body: JSON.stringify({ 'fw-up-dep': ['1.0.0'], 'fw-up-lib': ['2.1.0'] }) });
    const body = (await res.json()) as Record<string, Array<{ id: number; severity: string }>>;
    expect(Object.keys(body)).toEqual(['fw-up-dep']);
    expect(body['fw-up-dep']![0]).toMatchObject({ id: 1, severity: 'high' });
    expect(JSON.parse(up.auditRequests().at(-1)!.body)).toEqual({ 'fw-up-dep': ['1.0.0'], 'fw-up-lib': ['2.1.0'] });
  });
});
