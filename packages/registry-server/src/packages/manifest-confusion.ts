import { RegistryError } from '../errors.ts';
import { isPlainObject } from '../_http.ts';
import type { TarballFacts } from './tarball-reader.ts';

/** What the tarball itself says about installing it, beyond its package.json fields. */
export interface InstallFacts {
  /** preinstall, install or postinstall in package.json, or a binding.gyp (npm then runs node-gyp rebuild). */
  hasInstallScript: boolean;
  /** An npm-shrinkwrap.json at the package root (npm installs by it). */
  hasShrinkwrap: boolean;
}

/** The install-relevant fields compared, in the order they are reported. */
export const INSTALL_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'bin', 'engines', 'os', 'cpu', 'libc', 'scripts', 'hasInstallScript'] as const;
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const;

const mismatch = (field: string, detail = '') =>
  new RegistryError('BAD_REQUEST', `the publish body's ${field} differs from package.json in the tarball${detail}: publish the manifest of the tarball (npm, bun and pnpm do)`);

/** Keys sorted, so two objects with the same entries compare equal as JSON. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

const map = (v: unknown): Record<string, unknown> => (isPlainObject(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const omit = (m: Record<string, unknown>, keys: string[]) => Object.fromEntries(Object.entries(m).filter(([k]) => !keys.includes(k)));

/** A posix path relative to the package root, as npm's normalize-package-bin resolves a bin target. */
function normalPath(path: string): string {
  const out: string[] = [];
  for (const seg of path.split(/[/\\]+/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

/** `bin` as npm normalizes it: a string names the package's own command; keys are base names. */
function binOf(name: string, pkg: Record<string, unknown>, files?: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  let raw = pkg.bin;
  if (typeof raw === 'string') raw = { [name.slice(name.lastIndexOf('/') + 1)]: raw };
  if (isPlainObject(raw)) {
    for (const [key, value] of Object.entries(raw)) {
      const k = normalPath(key).split('/').pop()?.replace(/[\\:]/g, '') ?? '';
      const v = typeof value === 'string' ? normalPath(value) : '';
      if (k && v) out[k] = v;
    }
  } else if (files && isPlainObject(pkg.directories) && typeof pkg.directories.bin === 'string') {
    // `directories.bin` without `bin`: npm lists every file under that folder
    const dir = normalPath(pkg.directories.bin);
    for (const f of files) if (dir && f.startsWith(`${dir}/`)) out[f.split('/').pop()!] = f;
  }
  return out;
}

function installScripts(pkg: Record<string, unknown>, files?: string[]): Record<string, unknown> {
  const scripts = map(pkg.scripts);
  const out: Record<string, unknown> = {};
  for (const s of INSTALL_SCRIPTS) if (scripts[s] !== undefined && scripts[s] !== '') out[s] = scripts[s];
  // npm runs `node-gyp rebuild` for a binding.gyp when no install or preinstall script is given
  if (files?.includes('binding.gyp') && out.install === undefined && out.preinstall === undefined) out.install = 'node-gyp rebuild';
  return out;
}

/**
 * Refuses a publish whose manifest says something else than the tarball's own package.json about
 * installing it (manifest confusion: npm resolves dependencies and decides on install scripts from
 * the manifest the registry serves, then runs what the tarball holds). Compared after npm's own
 * normalisation: optional dependencies may or may not also appear under `dependencies`; `bin` as a
 * string or an object, targets as normalized paths, `directories.bin` expanded; the install scripts
 * (`node-gyp rebuild` for a binding.gyp may be left out); `engines`, `os`, `cpu`, `libc` entry by
 * entry; a missing field equals an empty one. Returns what the tarball says about install scripts
 * and shrinkwrap, which the registry then serves.
 * @example
 * const facts = checkAgainstTarball('pkg', versionManifest, await readTarball(tgz, limits));
 */
export function checkAgainstTarball(name: string, manifest: Record<string, unknown>, tarball: TarballFacts): InstallFacts {
  const pkg = tarball.pkg;
  const optional = Object.keys(map(pkg.optionalDependencies));
  const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

  if (!same(omit(map(manifest.dependencies), optional), omit(map(pkg.dependencies), optional))) throw mismatch('dependencies');
  for (const field of ['optionalDependencies', 'peerDependencies', 'engines'] as const) {
    if (!same(map(manifest[field]), map(pkg[field]))) throw mismatch(field);
  }
  for (const field of ['os', 'cpu', 'libc'] as const) {
    if (!same(list(manifest[field]), list(pkg[field]))) throw mismatch(field);
  }
  const tarBin = binOf(name, pkg, tarball.files);
  const bodyBin = binOf(name, manifest);
  const bodyHasBin = manifest.bin !== undefined;
  if (bodyHasBin ? !same(bodyBin, tarBin) : Object.keys(tarBin).length > 0) throw mismatch('bin');

  const tarScripts = installScripts(pkg, tarball.files);
  const bodyScripts = installScripts(manifest);
  for (const s of INSTALL_SCRIPTS) {
    const gypDefault = s === 'install' && tarScripts.install === 'node-gyp rebuild' && bodyScripts.install === undefined;
    if (!gypDefault && !same(bodyScripts[s], tarScripts[s])) throw mismatch(`scripts.${s}`);
  }
  const hasInstallScript = Object.keys(tarScripts).length > 0;
  if (manifest.hasInstallScript !== undefined && manifest.hasInstallScript !== hasInstallScript) {
    throw mismatch('hasInstallScript', ` (the tarball ${hasInstallScript ? 'has' : 'has no'} install script)`);
  }
  return { hasInstallScript, hasShrinkwrap: tarball.files.includes('npm-shrinkwrap.json') };
}
