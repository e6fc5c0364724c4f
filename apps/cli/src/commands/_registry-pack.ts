// Packs a folder the way `npm pack` does, closely enough for publishing: package.json `files`,
// .npmignore (else .gitignore), npm's always-excluded and always-included files, `package/` prefix.
// Not `npm pack --json --dry-run`: the CLI must work with only Bun installed, and spawning npm costs
// a second per publish. nanotar writes the tar.gz; `ignore` applies gitignore rules.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { createTarGzip } from 'nanotar';
import { CliError } from '../kit.ts';

const ALWAYS_EXCLUDED = ['.git', '.svn', '.hg', 'CVS', 'node_modules', '.npmrc', '.DS_Store', 'npm-debug.log', '.npmignore', '.gitignore',
  'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb', '*.orig', '.*.swp', '._*', '.wafpickle-*', 'config.gypi'];
const ALWAYS_INCLUDED = /^(package\.json|readme(\.[^/]*)?|licen[cs]e(\.[^/]*)?|copying(\.[^/]*)?)$/i;
// npm's fixed mtime, so the same files give the same bytes.
const MTIME = new Date('1985-10-26T08:15:00Z');

/** An ignore-file matcher (gitignore rules: `!` negation, last match wins, parent folders count). */
export function ignoreFilter(lines: string[]): Ignore {
  return ignore({ allowRelativePaths: true }).add(lines);
}

const alwaysExcluded = ignoreFilter(ALWAYS_EXCLUDED);

/**
 * package.json `files` as a matcher: an entry names a file, a folder (and all below it) or a glob,
 * which is what gitignore patterns express too.
 */
function filesFilter(files: string[]): Ignore {
  return ignoreFilter(files.map((entry) => entry.replace(/^\.\//, '')).filter((e) => e && e !== '/'));
}

async function walk(root: string, dir = root, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const abs = join(dir, entry.name);
    const rel = relative(root, abs).split(sep).join('/');
    if (alwaysExcluded.ignores(rel)) continue;
    if (entry.isDirectory()) await walk(root, abs, out);
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

export interface Packed {
  name: string;
  version: string;
  manifest: Record<string, unknown>;
  files: string[];
  tarball: Uint8Array;
  integrity: string;
  shasum: string;
}

/** Reads `dir`/package.json, picks the files npm would pack, and builds the tarball. */
export async function pack(dir: string): Promise<Packed> {
  const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => {
    throw new CliError(`no package.json in ${dir}`);
  });
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw new CliError(`${join(dir, 'package.json')} is not valid JSON`);
  }
  const { name, version } = manifest;
  if (typeof name !== 'string' || !name) throw new CliError(`${join(dir, 'package.json')} has no "name"`);
  if (typeof version !== 'string' || !version) throw new CliError(`${join(dir, 'package.json')} has no "version"`);
  if (manifest.private === true) throw new CliError(`${name} is marked "private": true; npm refuses to publish it, and so do we`);

  const all = await walk(dir);
  const files = Array.isArray(manifest.files) ? filesFilter(manifest.files.filter((f): f is string => typeof f === 'string')) : null;
  // With `files`, npm never reads .gitignore: build output (`dist`) is usually git-ignored and listed there.
  const ignoreFile = (await readFile(join(dir, '.npmignore'), 'utf8').catch(() => null)) ?? (files ? '' : await readFile(join(dir, '.gitignore'), 'utf8').catch(() => ''));
  const ignored = ignoreFilter(ignoreFile.split(/\r?\n/));
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values((manifest.bin ?? {}) as Record<string, string>);
  const required = new Set([manifest.main, ...bins].filter((f): f is string => typeof f === 'string').map((f) => f.replace(/^\.\//, '')));
  const chosen = all.filter((rel) => {
    if ((!rel.includes('/') && ALWAYS_INCLUDED.test(rel)) || required.has(rel)) return true;
    if (files) return files.ignores(rel) && !ignored.ignores(rel);
    return !ignored.ignores(rel);
  }).sort();

  const binSet = new Set(bins.map((b) => b.replace(/^\.\//, '')));
  const entries = await Promise.all(chosen.map(async (rel) => {
    const abs = join(dir, rel);
    const mode = binSet.has(rel) || ((await stat(abs)).mode & 0o111) ? '755' : '644';
    return { name: `package/${rel}`, data: new Uint8Array(await readFile(abs)), attrs: { mode, mtime: MTIME.getTime() } };
  }));
  const tarball = await createTarGzip(entries);
  return {
    name, version, manifest, files: chosen, tarball,
    integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
    shasum: createHash('sha1').update(tarball).digest('hex'),
  };
}

/** The document `npm publish` PUTs (libnpmpublish's shape: `<name>-<version>.tgz` attachment). */
export function publishDocument(packed: Packed, registry: string, tag: string, readme?: string): Record<string, unknown> {
  const { name, version, manifest, tarball, integrity, shasum } = packed;
  const file = `${name}-${version}.tgz`;
  const versionDoc: Record<string, unknown> = {
    ...manifest, _id: `${name}@${version}`,
    dist: { integrity, shasum, tarball: new URL(`${name}/-/${file}`, `${registry}/`).href },
  };
  if (readme !== undefined && versionDoc.readme === undefined) versionDoc.readme = readme;
  return {
    _id: name, name, description: manifest.description, 'dist-tags': { [tag]: version },
    versions: { [version]: versionDoc }, access: null,
    _attachments: { [file]: { content_type: 'application/octet-stream', data: Buffer.from(tarball).toString('base64'), length: tarball.length } },
  };
}
