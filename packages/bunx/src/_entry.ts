// Builds a cache entry: download, verify, unpack, install dependencies, then one rename into place.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { binFile, binMap } from './_bin.ts';
import { assertOwned, ensureOwnedDir, makeTempDir } from './_fs.ts';
import { ENTRY_FILE, LAST_USE_FILE, PACKAGE_DIR, TMP_DIR, entryDir, nameSegment, type EntryRecord } from './_layout.ts';
import type { RegistryConfig } from './config.ts';
import { BunxError } from './errors.ts';
import { assertRegistryDependencies, installDependencies } from './install.ts';
import type { Resolution } from './_resolver.ts';
import { unpackTarball, verifyIntegrity } from './tarball.ts';

/** How long a tarball download may take. */
const TARBALL_TIMEOUT_MS = 300_000;
/** The largest tarball downloaded. */
const MAX_TARBALL_BYTES = 512 * 1024 * 1024;

export interface BuildDeps {
  config: RegistryConfig;
  cacheDir: string;
  fetch?: typeof fetch;
  allowScripts?: boolean;
  bun?: string;
  env?: Record<string, string | undefined>;
}

/** A complete cache entry: its folder, the unpacked package inside it, and its record. */
export interface Entry {
  dir: string;
  packageDir: string;
  record: EntryRecord;
}

/** Reads a complete entry, refusing one that is not the user's own. */
export function openEntry(dir: string): Entry {
  assertOwned(dir, 'the cache entry');
  let record: EntryRecord;
  try {
    record = JSON.parse(readFileSync(join(dir, ENTRY_FILE), 'utf8')) as EntryRecord;
  } catch (err) {
    throw new BunxError('CACHE_INVALID', `the cache entry ${dir} has no readable ${ENTRY_FILE}; remove that folder`, { cause: err });
  }
  return { dir, packageDir: join(dir, PACKAGE_DIR), record };
}

async function download(deps: BuildDeps, res: Resolution, url: string): Promise<Uint8Array> {
  const token = await deps.config.tokenForUrl(res.registry, url);
  let response: Response;
  try {
    response = await (deps.fetch ?? fetch)(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(TARBALL_TIMEOUT_MS) });
  } catch (err) {
    throw new BunxError('REGISTRY_UNREACHABLE', `cannot download ${url}: ${(err as Error).message}`, { cause: err });
  }
  if (!response.ok) {
    const code = response.status === 401 || response.status === 403 ? 'UNAUTHORIZED' : response.status === 404 ? 'NOT_FOUND' : 'REGISTRY_ERROR';
    throw new BunxError(code, `downloading ${res.name}@${res.version} (${url}) answered ${response.status}`);
  }
  return readCapped(response, MAX_TARBALL_BYTES, `${res.name}@${res.version}`);
}

/** The body, refused as soon as it passes `max` bytes (announced or read), so a hostile registry cannot fill memory. */
export async function readCapped(response: Response, max: number, what: string): Promise<Uint8Array> {
  const refuse = () => new BunxError('UNSAFE_TARBALL', `${what}: the tarball is larger than ${max} bytes; refusing it`);
  if (Number(response.headers.get('content-length') ?? 0) > max) {
    await response.body?.cancel();
    throw refuse();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw refuse();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * The entry for a resolved version: opened when cached; else built in a private folder under .tmp
 * and renamed into place. When two runs build the same entry, the first rename wins and the other
 * uses it, so there is only ever one entry and never half of one.
 * @example
 * const entry = await ensureEntry(deps, resolution); // entry.packageDir holds the package
 */
export async function ensureEntry(deps: BuildDeps, res: Resolution): Promise<Entry> {
  const dir = entryDir(deps.cacheDir, res.registry, res.name, res.version);
  if (existsSync(dir)) return openEntry(dir);
  const manifest = res.manifest;
  if (!manifest?.dist?.tarball) throw new BunxError('REGISTRY_ERROR', `the packument of ${res.name} has no tarball for ${res.version}`);
  ensureOwnedDir(deps.cacheDir, 'the cache folder');
  const tmpRoot = ensureOwnedDir(join(deps.cacheDir, TMP_DIR), 'the cache folder');
  const build = makeTempDir(tmpRoot, `${nameSegment(res.name)}@${res.version}-`);
  const what = `${res.name}@${res.version}`;
  try {
    const bytes = await download(deps, res, manifest.dist.tarball);
    const integrity = verifyIntegrity(bytes, manifest.dist.integrity, what);
    const packageDir = join(build, PACKAGE_DIR);
    mkdirSync(packageDir);
    unpackTarball(bytes, join(build, 'package.tgz'), packageDir, what);
    rmSync(join(build, 'package.tgz'));
    const pkg = readPackageJson(packageDir, what);
    const bin = binMap(res.name, pkg.bin ?? manifest.bin);
    for (const path of Object.values(bin)) {
      const file = binFile(packageDir, path);
      if (file && existsSync(file)) chmodSync(file, 0o755);
    }
    const deps_ = { ...(pkg.dependencies ?? {}), ...(pkg.optionalDependencies ?? {}) };
    if (Object.keys(deps_).length > 0) {
      assertRegistryDependencies(deps_, what);
      const token = await deps.config.tokenFor(res.registry);
      await installDependencies(packageDir, { registry: res.registry, token, allowScripts: deps.allowScripts, configDir: build, bun: deps.bun, env: deps.env }, deps_);
    }
    rmSync(join(build, 'bunfig.toml'), { force: true });
    const record: EntryRecord = { name: res.name, version: res.version, registry: res.registry, integrity, bin, created: new Date().toISOString() };
    writeFileSync(join(build, ENTRY_FILE), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    writeFileSync(join(build, LAST_USE_FILE), '');
    mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
    try {
      renameSync(build, dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      // Another run finished the same entry first: use that one.
    }
    return openEntry(dir);
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
}

interface PackageJson {
  bin?: unknown;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackageJson(dir: string, what: string): PackageJson {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch (err) {
    throw new BunxError('UNSAFE_TARBALL', `${what}: the tarball has no readable package.json; nothing was cached`, { cause: err });
  }
}
