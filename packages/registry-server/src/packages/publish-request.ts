import { parseTar } from 'nanotar';
import { RegistryError } from '../errors.ts';
import { collect, isPlainObject } from '../_http.ts';
import { decodeBase64, sha1Hex, sha512Integrity } from '../_crypto.ts';
import { assertTag, assertVersion, tarballFile } from '../_names.ts';
import type { VersionManifest } from './packument.ts';

/** A publish request checked end to end, ready to be written. */
export interface PreparedPublish {
  version: string;
  manifest: VersionManifest;
  tarball: Uint8Array;
  file: string;
  tags: Record<string, string>;
  readme?: string;
  readmeFilename?: string;
  description?: string;
}

const bad = (message: string) => new RegistryError('BAD_REQUEST', message);

// Far beyond any package.json; deeper nesting overflows the stack of JSON.stringify when stored (a 500).
const MAX_DEPTH = 64;

function nestsDeeper(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * True when a PUT body carries a tarball (a publish) rather than a metadata change (deprecate).
 * @example
 * hasAttachments({ _attachments: { 'a-1.0.0.tgz': { data: '...' } } }); // true
 */
export function hasAttachments(body: Record<string, unknown>): boolean {
  return isPlainObject(body._attachments) && Object.keys(body._attachments).length > 0;
}

/**
 * Validates a publish body as npm, bun and pnpm send it (`versions` with one version, `dist-tags`,
 * one base64 `_attachments` entry) and checks the tarball against `length`, `dist.integrity` (sha512)
 * and `dist.shasum`, and its package.json against the name and version. Writes nothing.
 * @example
 * const prepared = await preparePublish('pkg', body, { publicUrl: 'http://127.0.0.1:4873', maxUnpacked: 4e8 });
 */
export async function preparePublish(
  name: string,
  body: Record<string, unknown>,
  opts: { publicUrl: string; maxUnpacked: number },
): Promise<PreparedPublish> {
  if (body.name !== undefined && body.name !== name) throw bad(`package name in the body (${String(body.name).slice(0, 100)}) differs from the path (${name})`);
  if (!isPlainObject(body.versions)) throw bad('publish body has no versions object');
  const versionKeys = Object.keys(body.versions);
  if (versionKeys.length !== 1) throw bad(`publish body must carry exactly one version, got ${versionKeys.length}`);
  const version = assertVersion(versionKeys[0]);
  const raw = body.versions[version];
  if (!isPlainObject(raw)) throw bad(`version ${version} is not an object`);
  if (raw.name !== name) throw bad(`version manifest name (${String(raw.name).slice(0, 100)}) differs from the path (${name})`);
  if (raw.version !== version) throw bad(`version manifest says ${String(raw.version).slice(0, 50)}, key says ${version}`);
  if (!isPlainObject(raw.dist)) throw bad('version manifest has no dist');
  if (nestsDeeper(raw, MAX_DEPTH)) throw bad(`version manifest nests deeper than ${MAX_DEPTH} levels`);

  const attachments = body._attachments as Record<string, unknown>;
  const attachmentKeys = Object.keys(attachments);
  if (attachmentKeys.length !== 1) throw bad(`publish body must carry exactly one attachment, got ${attachmentKeys.length}`);
  const attachment = attachments[attachmentKeys[0]!];
  if (!isPlainObject(attachment) || typeof attachment.data !== 'string') throw bad('attachment has no base64 data');
  const tarball = decodeBase64(attachment.data);
  if (!tarball || tarball.byteLength === 0) throw bad('attachment data is not valid base64');
  if (attachment.length !== undefined && attachment.length !== tarball.byteLength) {
    throw new RegistryError('INTEGRITY_MISMATCH', `attachment length ${String(attachment.length)} differs from the ${tarball.byteLength} bytes received`);
  }

  const integrity = await sha512Integrity(tarball);
  const shasum = await sha1Hex(tarball);
  const claimedIntegrity = raw.dist.integrity;
  const claimedShasum = raw.dist.shasum;
  if (claimedIntegrity === undefined && claimedShasum === undefined) throw bad('dist has neither integrity nor shasum');
  if (claimedIntegrity !== undefined) {
    if (typeof claimedIntegrity !== 'string') throw bad('dist.integrity is not a string');
    const sha512s = claimedIntegrity.split(/\s+/).filter((h) => h.startsWith('sha512-')).map((h) => h.split('?')[0]);
    if (sha512s.length === 0) throw new RegistryError('INTEGRITY_MISMATCH', 'dist.integrity has no sha512 hash');
    if (!sha512s.includes(integrity)) throw new RegistryError('INTEGRITY_MISMATCH', 'tarball does not match dist.integrity (sha512)');
  }
  if (claimedShasum !== undefined && claimedShasum !== shasum) {
    throw new RegistryError('INTEGRITY_MISMATCH', 'tarball does not match dist.shasum');
  }

  const inner = await readTarball(tarball, opts.maxUnpacked);
  if (inner.pkg.name !== name) throw bad(`package.json in the tarball names ${String(inner.pkg.name).slice(0, 100)}, not ${name}`);
  if (inner.pkg.version !== version) throw bad(`package.json in the tarball says version ${String(inner.pkg.version).slice(0, 50)}, not ${version}`);

  const tags: Record<string, string> = {};
  if (body['dist-tags'] !== undefined) {
    if (!isPlainObject(body['dist-tags'])) throw bad('dist-tags is not an object');
    for (const [tag, v] of Object.entries(body['dist-tags'])) {
      assertTag(tag);
      if (v !== version) throw bad(`dist-tag ${tag} must point at the published version ${version}`);
      tags[tag] = version;
    }
  }
  if (Object.keys(tags).length === 0) tags.latest = version;

  const file = tarballFile(name, version);
  const { readme, _attachments, _rev, _fw, ...rest } = raw as Record<string, unknown>;
  const manifest = {
    ...rest,
    _id: `${name}@${version}`,
    dist: {
      ...(raw.dist as Record<string, unknown>),
      integrity,
      shasum,
      tarball: `${opts.publicUrl}/${name}/-/${file}`,
      fileCount: inner.fileCount,
      unpackedSize: inner.unpackedSize,
    },
  } as unknown as VersionManifest;
  const prepared: PreparedPublish = { version, manifest, tarball, file, tags };
  const topReadme = typeof body.readme === 'string' ? body.readme : typeof readme === 'string' ? readme : undefined;
  if (topReadme !== undefined) prepared.readme = topReadme;
  if (typeof raw.readmeFilename === 'string') prepared.readmeFilename = raw.readmeFilename;
  if (typeof raw.description === 'string') prepared.description = raw.description;
  return prepared;
}

/**
 * Gunzips (counting bytes, so a gzip bomb stops at `maxUnpacked`) and reads the tarball's
 * package.json. nanotar's parseTarGzip would inflate without a bound, so the inflate is ours.
 */
async function readTarball(tgz: Uint8Array, maxUnpacked: number) {
  let tar: Uint8Array;
  try {
    const stream = new Blob([tgz as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    tar = await collect(stream, maxUnpacked, 'unpacked tarball');
  } catch (err) {
    if ((err as RegistryError).code === 'TOO_LARGE') throw err;
    throw bad('attachment is not a gzip tarball');
  }
  let entries;
  try {
    entries = parseTar(tar);
  } catch {
    throw bad('attachment is not a valid tar archive');
  }
  const files = entries.filter((e) => e.type === 'file' || e.type === undefined);
  const pkgEntry = files.find((e) => e.name === 'package/package.json') ?? files.find((e) => /^[^/]+\/package\.json$/.test(e.name));
  if (!pkgEntry?.data) throw bad('tarball has no package.json');
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(new TextDecoder().decode(pkgEntry.data));
  } catch {
    throw bad('package.json in the tarball is not valid JSON');
  }
  if (!isPlainObject(pkg)) throw bad('package.json in the tarball is not an object');
  return { pkg, fileCount: files.length, unpackedSize: files.reduce((n, f) => n + f.size, 0) };
}
