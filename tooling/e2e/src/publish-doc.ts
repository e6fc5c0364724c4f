import { createHash } from 'node:crypto';
import { createTarGzip } from 'nanotar';

export interface PublishBody {
  body: Record<string, unknown>;
  tarball: Uint8Array;
  integrity: string;
  shasum: string;
}

/**
 * The document `npm publish` PUTs to `/<name>`: one version, its dist-tag and the base64 tarball.
 * Lets load and crash tests publish thousands of versions without spawning a client each time.
 */
export async function publishBody(name: string, version: string, registry: string, extra: Record<string, unknown> = {}): Promise<PublishBody> {
  const manifest = { name, version, description: `${name} ${version}`, main: 'index.js', ...extra };
  const tarball = await createTarGzip([
    { name: 'package/package.json', data: JSON.stringify(manifest, null, 2) },
    { name: 'package/index.js', data: `module.exports = ${JSON.stringify(version)};\n` },
  ]);
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  const shasum = createHash('sha1').update(tarball).digest('hex');
  const file = `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
  const base = registry.replace(/\/$/, '');
  return {
    tarball,
    integrity,
    shasum,
    body: {
      _id: name,
      name,
      description: manifest.description,
      'dist-tags': { latest: version },
      versions: {
        [version]: {
          ...manifest,
          _id: `${name}@${version}`,
          dist: { integrity, shasum, tarball: `${base}/${name}/-/${file}` },
        },
      },
      access: null,
      _attachments: {
        [file]: { content_type: 'application/octet-stream', data: Buffer.from(tarball).toString('base64'), length: tarball.length },
      },
    },
  };
}

/** PUTs a publish document the way npm does. */
export async function publish(registry: string, token: string, name: string, version: string): Promise<Response> {
  const { body } = await publishBody(name, version, registry);
  return fetch(`${registry.replace(/\/$/, '')}/${name.replace('/', '%2f')}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'npm-command': 'publish' },
    body: JSON.stringify(body),
  });
}

/** Creates a user over the couchdb endpoint and returns its token. */
export async function addUser(registry: string, name: string, password: string): Promise<string> {
  const res = await fetch(`${registry.replace(/\/$/, '')}/-/user/org.couchdb.user:${encodeURIComponent(name)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password, email: `${name}@example.com`, type: 'user', roles: [], date: new Date().toISOString() }),
  });
  const json = (await res.json()) as { token?: string; error?: string };
  if (!res.ok || !json.token) throw new Error(`adduser ${name}: ${res.status} ${json.error ?? ''}`);
  return json.token;
}
