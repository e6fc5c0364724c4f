// Packs a folder the way `npm pack` does, closely enough for publishing: package.json `files`,
// .npmignore (else .gitignore), npm's always-excluded and always-included files, `package/` prefix.
// Not `npm pack --json --dry-run`: the CLI must work with only Bun installed, and spawning npm costs
// a second per publish. nanotar writes the tar.gz.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { createTarGzip } from 'nanotar';
import { CliError } from '../kit.ts';

const ALWAYS_EXCLUDED = ['.git', '.svn', '.hg', 'CVS', 'node_modules', '.npmrc', '.DS_Store', 'npm-debug.log', '.npmignore', '.gitignore',
  'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb', '*.orig', '.*.swp', '._*', '.wafpickle-*', 'config.gypi'];
const ALWAYS_INCLUDED = /^(package\.json|readme(\.[^/]*)?|licen[cs]e(\.[^/]*)?|copying(\.[^/]*)?)$/i;
// npm's fixed mtime, so the same files give the same bytes.
const MTIME = new Date('1985-10-26T08:15:00Z');

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Does a gitignore-style pattern match `path` (or one of its parent folders)? */
function ignoreMatch(pattern: string, path: string): boolean {
  let p = pattern.replace(/\/+$/, '');
  const anchored = p.startsWith('/') || p.includes('/');
  p = p.replace(/^\//, '');
  const re = globToRegExp(p);
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (anchored ? re.test(prefix) : re.test(parts[i - 1]!)) return true;
  }
  return false;
}

/** Applies ignore-file lines (with `!` negation, last match wins) to `path`. */
export function ignored(lines: string[], path: string): boolean {
  let result = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (ignoreMatch(negate ? line.slice(1) : line, path)) result = !negate;
  }
  return result;
}

function inFiles(files: string[], path: string): boolean {
  return files.some((entry) => {
    const e = entry.replace(/^\.\//, '').replace(/\/+$/, '');
    if (!e) return false;
    if (path === e || path.startsWith(`${e}/`)) return true;
    const re = globToRegExp(e);
    const parts = path.split('/');
    return parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')));
  });
}

async function walk(root: string, dir = root, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const abs = join(dir, entry.name);
    const rel = relative(root, abs).split(sep).join('/');
    if (ignored(ALWAYS_EXCLUDED, rel)) continue;
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
  const ignoreFile = (await readFile(join(dir, '.npmignore'), 'utf8').catch(() => null)) ?? (await readFile(join(dir, '.gitignore'), 'utf8').catch(() => ''));
  const ignoreLines = ignoreFile.split(/\r?\n/);
  const files = Array.isArray(manifest.files) ? manifest.files.filter((f): f is string => typeof f === 'string') : null;
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values((manifest.bin ?? {}) as Record<string, string>);
  const required = new Set([manifest.main, ...bins].filter((f): f is string => typeof f === 'string').map((f) => f.replace(/^\.\//, '')));
  const chosen = all.filter((rel) => {
    if ((!rel.includes('/') && ALWAYS_INCLUDED.test(rel)) || required.has(rel)) return true;
    if (files) return inFiles(files, rel) && !ignored(ignoreLines.filter((l) => l.trim() && !l.startsWith('#')), rel);
    return !ignored(ignoreLines, rel);
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
