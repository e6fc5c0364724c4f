import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NPM_BIN, npmClient } from '../src/clients/npm.ts';
import { consumerProject } from '../src/fixtures.ts';
import { addUser, publishBody } from '../src/publish-doc.ts';
import { startRegistry, type RegistryProcess } from '../src/registry-process.ts';
import { run } from '../src/run.ts';
import { startUpstream, type TestUpstream } from '../src/upstream.ts';
import { createWorkspace, type ClientWorkspace } from '../src/workspace.ts';

const PRIVATE = ['@fw-priv/audited', 'fw-priv-helper'];

async function publishLocal(registry: string, token: string, name: string, v: string, extra: Record<string, unknown> = {}) {
  const { body } = await publishBody(name, v, registry, extra);
  const res = await fetch(`${registry}/${name.replace('/', '%2f')}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`publish ${name}@${v}: ${res.status} ${await res.text()}`);
}

const audit = (ws: ClientWorkspace, project: string, ...args: string[]) => run(NPM_BIN, ['audit', ...args, '--registry', ws.registry], { cwd: project, env: ws.env });

describe.sequential('npm audit through the registry', () => {
  let up: TestUpstream;
  let registry: RegistryProcess;
  let ws: ClientWorkspace;
  let project: string;

  beforeAll(async () => {
    up = await startUpstream();
    await up.publish('fw-vuln', '1.0.0');
    await up.publish('fw-safe', '2.0.0');
    up.addAdvisory('fw-vuln', { id: 9001, title: 'Prototype pollution in fw-vuln', severity: 'high', vulnerable_versions: '<1.0.1', url: 'https://advisories.test/9001' });
    // Advisories on the private names too: if they ever reached the upstream, the audit would show them.
    up.addAdvisory('fw-priv-helper', { id: 9002, title: 'never asked', severity: 'critical', vulnerable_versions: '*' });
    registry = await startRegistry({ upstream: up.url });
    const token = await addUser(registry.url, 'auditor', 'auditor password');
    await publishLocal(registry.url, token, 'fw-priv-helper', '1.0.0');
    await publishLocal(registry.url, token, '@fw-priv/audited', '1.0.0', { dependencies: { 'fw-priv-helper': '^1.0.0', 'fw-vuln': '^1.0.0' } });
    ws = createWorkspace(registry.url);
    project = consumerProject(ws.dir('consumer'), { '@fw-priv/audited': '^1.0.0', 'fw-safe': '^2.0.0' });
    await npmClient(ws).install(project);
    // The fix comes out upstream after the install.
    await up.publish('fw-vuln', '1.0.1');
  });
  afterAll(async () => {
    ws?.remove();
    await registry?.stop();
    await up?.stop();
  });

  it('reports the upstream advisories for an upstream package', async () => {
    const human = await audit(ws, project);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('fw-vuln  1.0.0\nSeverity: high\nPrototype pollution in fw-vuln - https://advisories.test/9001\nfix available via `npm audit fix`');
    expect(human.stdout).toMatch(/\d+ high severity vulnerabilit/);
    expect(human.stdout).not.toContain('never asked');
    const json = JSON.parse((await audit(ws, project, '--json')).stdout) as { vulnerabilities: Record<string, { severity: string; via: Array<{ title?: string } | string> }> };
    expect(json.vulnerabilities['fw-vuln']).toMatchObject({ severity: 'high', via: [expect.objectContaining({ title: 'Prototype pollution in fw-vuln' })] });
    expect(json.vulnerabilities['fw-priv-helper']).toBeUndefined();
  });

  it('the upstream never received a private name', async () => {
    const received = up.auditRequests();
    expect(received.length).toBeGreaterThanOrEqual(1);
    for (const r of received) {
      expect(Object.keys(JSON.parse(r.body)).sort()).toEqual(['fw-safe', 'fw-vuln']);
      for (const name of [...PRIVATE, 'fw-priv', 'fw-e2e-consumer']) expect(r.body).not.toContain(name);
    }
  });

  it('with the upstream stopped, npm audit says the audit could not be done, never "found 0 vulnerabilities"', async () => {
    await up.stop();
    const r = await audit(ws, project);
    expect(r.code).not.toBe(0);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).not.toContain('found 0 vulnerabilities');
    expect(out).toContain('audit endpoint returned an error');
    expect(out).toContain('the audit could not be done: no uplink answered for 2 packages');
  });

  it('with the proxy off, npm audit of a private-only project says the audit cannot be done', async () => {
    const offline = await startRegistry();
    const offWs = createWorkspace(offline.url);
    try {
      const token = await addUser(offline.url, 'auditor', 'auditor password');
      await publishLocal(offline.url, token, 'fw-priv-helper', '1.0.0');
      const only = consumerProject(offWs.dir('consumer'), { 'fw-priv-helper': '^1.0.0' });
      await npmClient(offWs).install(only);
      const r = await audit(offWs, only);
      expect(r.code).not.toBe(0);
      expect(`${r.stdout}\n${r.stderr}`).not.toContain('found 0 vulnerabilities');
      expect(r.stdout).toContain('the audit cannot be done: this registry has no uplink to ask for advisories');
    } finally {
      offWs.remove();
      await offline.stop();
    }
  });
});
