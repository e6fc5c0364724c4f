import { createHash } from 'node:crypto';
import { readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, publish } from '../src/publish-doc.ts';
import type { RegistryProcess } from '../src/registry-process.ts';
import { startReplicas, type ReplicaPair } from '../src/replicas.ts';
import { checkStore } from '../src/store-check.ts';

const NAME = '@fw-load/concurrent';
const CLIENTS = 4;
const VERSIONS_EACH = 50;

/** 4 clients x 50 versions of one package, published at once through two replicas over one store. */
async function publishThroughReplicas(replicas: RegistryProcess[]) {
  const token = await addUser(replicas[0]!.url, 'loader', 'load-test-password');
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; i < VERSIONS_EACH; i++) {
        const target = replicas[(c + i) % replicas.length]!;
        const version = `${c + 1}.${i}.0`;
        const res = await publish(target.url, token, NAME, version);
        if (res.status !== 201 && res.status !== 200) failures.push(`${version} via ${target.port}: ${res.status} ${await res.text()}`);
      }
    }),
  );
  return failures;
}

async function verifyAllVersions(registry: string) {
  const doc = (await (await fetch(`${registry}/${NAME.replace('/', '%2f')}`)).json()) as {
    versions: Record<string, { dist: { tarball: string; integrity: string } }>;
  };
  const versions = Object.keys(doc.versions);
  let verified = 0;
  for (const meta of Object.values(doc.versions)) {
    const res = await fetch(meta.dist.tarball);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.ok && `sha512-${createHash('sha512').update(bytes).digest('base64')}` === meta.dist.integrity) verified++;
  }
  return { versions: versions.length, verified };
}

describe('two server processes over one fs store', () => {
  let pair: ReplicaPair;
  beforeAll(async () => {
    pair = await startReplicas();
  });
  afterAll(() => pair?.stop());

  it('keeps all 200 concurrently published versions, each tarball matching its integrity', async () => {
    const failures = await publishThroughReplicas([pair.a, pair.b]);
    expect(failures).toEqual([]);
    expect(await verifyAllVersions(pair.a.url)).toEqual({ versions: CLIENTS * VERSIONS_EACH, verified: CLIENTS * VERSIONS_EACH });
    expect(await verifyAllVersions(pair.b.url)).toEqual({ versions: CLIENTS * VERSIONS_EACH, verified: CLIENTS * VERSIONS_EACH });
    expect((await checkStore(pair.a.dataDir)).problems).toEqual([]);
  });

  it('shows a publish and a dist-tag move through one replica on the very next GET through the other, which was answering that package from memory', async () => {
    const name = 'fw-next-get';
    const token = await addUser(pair.a.url, 'next-get', 'next-get-password');
    const wrong: string[] = [];
    for (let i = 0; i < 15; i++) {
      const version = `1.${i}.0`;
      const res = await publish(pair.a.url, token, name, version);
      expect(res.status, await res.text()).toBe(201);
      // B keeps answering the packument between publishes: from its cache once its change stamp is read
      const seen = await (await fetch(`${pair.b.url}/${name}`, { headers: { accept: 'application/vnd.npm.install-v1+json' } })).json() as { 'dist-tags': Record<string, string>; versions: Record<string, { dist: { tarball: string } }> };
      if (!seen.versions[version] || seen['dist-tags'].latest !== version) wrong.push(`${version}: B showed latest ${seen['dist-tags'].latest}`);
      for (let k = 0; k < 5; k++) await (await fetch(`${pair.b.url}/${name}`)).arrayBuffer();
      const etag = (await fetch(`${pair.b.url}/${name}`)).headers.get('etag')!;
      expect((await fetch(`${pair.b.url}/${name}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
      const tarball = await fetch(seen.versions[version]!.dist.tarball.replace(pair.a.url, pair.b.url));
      if (tarball.status !== 200) wrong.push(`${version}: tarball through B ${tarball.status}`);
      await tarball.arrayBuffer();
    }
    const moved = await fetch(`${pair.a.url}/-/package/${name}/dist-tags/latest`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify('1.3.0') });
    expect(moved.status, await moved.text()).toBeLessThan(300);
    const after = await (await fetch(`${pair.b.url}/${name}`)).json() as { 'dist-tags': Record<string, string> };
    expect(after['dist-tags'].latest).toBe('1.3.0');
    expect(wrong).toEqual([]);
    // the servers share the change map B answers from (the folder is on this machine's local disk)
    expect(statfsSync(pair.a.dataDir).type).toBe(0xef53);
    expect(readFileSync(join(pair.a.dataDir, '.fw-store', 'changes')).some((b) => b !== 0)).toBe(true);
  });
});

describe('two server processes over one bucket on the local S3-protocol server', () => {
  let pair: ReplicaPair;
  beforeAll(async () => {
    pair = await startReplicas({ s3Bucket: 'fw-replicas' });
  });
  afterAll(() => pair?.stop());

  it('keeps all 200 concurrently published versions, each tarball matching its integrity', async () => {
    const failures = await publishThroughReplicas([pair.a, pair.b]);
    expect(failures).toEqual([]);
    expect(await verifyAllVersions(pair.b.url)).toEqual({ versions: CLIENTS * VERSIONS_EACH, verified: CLIENTS * VERSIONS_EACH });
    const store = pair.store();
    const report = await checkStore(store);
    await store.close?.();
    expect(report.problems).toEqual([]);
    expect(report.versions).toBe(CLIENTS * VERSIONS_EACH);
  });
});
