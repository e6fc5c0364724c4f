import { RegistryError } from '../errors.ts';
import { isPlainObject } from '../_http.ts';
import { decodeBase64, sha1Hex, sha512Integrity } from '../_crypto.ts';
import { assertTag, assertVersion, tarballFile } from '../_names.ts';
import { checkAgainstTarball, INSTALL_FIELDS } from './manifest-confusion.ts';
import { checkFieldTypes, deprecationOf, printable, readmeOf, sanitizeManifest, type MetadataLimits } from './manifest-fields.ts';
import type { VersionManifest } from './packument.ts';
import type { TarballLimits, TarballReader } from './tarball-reader.ts';

/** Bytes a file name may have on common file systems (ext4, APFS, NTFS): longer ones cannot be stored. */
const MAX_FILE_NAME_BYTES = 255;

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

/** What {@link preparePublish} needs besides the body. */
export interface PublishOptions {
  publicUrl: string;
  /** node-tar needs node:stream and friends: the core takes it from the runtime entry (`readTarball` of `/node`). */
  readTarball: TarballReader | undefined;
  tarball: TarballLimits;
  metadata: MetadataLimits;
}

/**
 * Validates a publish body as npm, bun and pnpm send it (`versions` with one version, `dist-tags`,
 * one base64 `_attachments` entry; every field of the right type, metadata within its caps) and checks
 * the tarball against `length`, `dist.integrity` (sha512) and `dist.shasum`, reads it as npm's
 * extractor does, and checks its package.json against the name, the version and every
 * install-relevant field of the manifest (no manifest confusion). Writes nothing.
 * @example
 * const prepared = await preparePublish('pkg', body, { publicUrl, tarball: { maxUnpackedSize: 4e8, maxEntries: 1e5 }, metadata: DEFAULT_METADATA_LIMITS });
 */
export async function preparePublish(name: string, body: Record<string, unknown>, opts: PublishOptions): Promise<PreparedPublish> {
  if (body.name !== undefined && body.name !== name) throw bad(`package name in the body (${String(body.name).slice(0, 100)}) differs from the path (${name})`);
  for (const field of ['description', 'readme', '_id'] as const) {
    if (body[field] !== undefined && body[field] !== null && typeof body[field] !== 'string') throw bad(`${field} must be a string`);
  }
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
  checkFieldTypes(raw, `versions.${version}`);
  const file = tarballFile(name, version);
  if (new TextEncoder().encode(`${file}`).byteLength > MAX_FILE_NAME_BYTES) {
    throw bad(`tarball name ${file.slice(0, 60)}... is longer than ${MAX_FILE_NAME_BYTES} bytes: use a shorter version or name`);
  }
  const deprecated = deprecationOf(raw.deprecated, `versions.${version}`, opts.metadata);
  const topReadme = readmeOf(body.readme ?? raw.readme, body.readme !== undefined ? 'readme' : `versions.${version}.readme`, opts.metadata);

  const tags: Record<string, string> = {};
  if (body['dist-tags'] !== undefined) {
    if (!isPlainObject(body['dist-tags'])) throw bad('dist-tags is not an object');
    if (Object.keys(body['dist-tags']).length > opts.metadata.maxDistTags) throw bad(`dist-tags has more than ${opts.metadata.maxDistTags} tags`);
    for (const [tag, v] of Object.entries(body['dist-tags'])) {
      assertTag(tag);
      if (v !== version) throw bad(`dist-tag ${tag} must point at the published version ${version}`);
      tags[tag] = version;
    }
  }
  if (Object.keys(tags).length === 0) tags.latest = version;

  const attachments = body._attachments as Record<string, unknown>;
  const attachmentKeys = Object.keys(attachments);
  if (attachmentKeys.length !== 1) throw bad(`publish body must carry exactly one attachment, got ${attachmentKeys.length}`);
  const attachment = attachments[attachmentKeys[0]!];
  if (!isPlainObject(attachment) || typeof attachment.data !== 'string') throw bad('attachment has no base64 data');
  const tarball = decodeBase64(attachment.data);
  if (!tarball || tarball.byteLength === 0) throw bad('attachment data is not valid base64');
  delete attachment.data; // the base64 text is not held beside the tarball for the rest of the publish (Workers: 128 MB)
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

  if (!opts.readTarball) throw new RegistryError('INTERNAL', 'this registry handler has no tarball reader: pass readTarball from @factorywager/registry-server/node');
  const inner = await opts.readTarball(tarball, opts.tarball);
  if (inner.pkg.name !== name) throw bad(`package.json in the tarball names ${String(inner.pkg.name).slice(0, 100)}, not ${name}`);
  if (inner.pkg.version !== version) throw bad(`package.json in the tarball says version ${String(inner.pkg.version).slice(0, 50)}, not ${version}`);
  checkFieldTypes(Object.fromEntries(INSTALL_FIELDS.map((f) => [f, inner.pkg[f]])), 'package.json in the tarball');
  const install = checkAgainstTarball(name, raw, inner);

  const { readme, _attachments, _rev, _fw, hasInstallScript, _hasShrinkwrap, ...rest } = raw as Record<string, unknown>;
  const manifest = {
    ...rest,
    ...(install.hasInstallScript ? { hasInstallScript: true } : {}),
    _hasShrinkwrap: install.hasShrinkwrap,
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
  if (deprecated) manifest.deprecated = deprecated;
  else delete manifest.deprecated;
  sanitizeManifest(manifest);
  const prepared: PreparedPublish = { version, manifest, tarball, file, tags };
  if (topReadme !== undefined) prepared.readme = topReadme;
  if (typeof manifest.readmeFilename === 'string') prepared.readmeFilename = manifest.readmeFilename;
  if (typeof manifest.description === 'string') prepared.description = manifest.description;
  else if (typeof body.description === 'string') prepared.description = printable(body.description);
  return prepared;
}
