import npa from 'npm-package-arg';
import semver from 'semver';
import ssri from 'ssri';
import { DocsError } from './errors.ts';
import { extractSymbols } from './symbols.ts';
import { readTarball } from './_tarball.ts';
import type { PackageDocs } from './types.ts';

/** How docs reach a registry: its URL, a token, and a fetch (default globalThis.fetch). */
export interface RegistryAccess {
  registry: string;
  token?: string | null;
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
}

interface Manifest { name: string; version: string; description?: unknown; homepage?: unknown; license?: unknown; keywords?: unknown; repository?: unknown; types?: unknown; typings?: unknown; exports?: unknown; dist?: { tarball?: string; integrity?: string } }
interface Packument { name: string; description?: string; readme?: string; 'dist-tags'?: Record<string, string>; versions?: Record<string, Manifest> }

/** `@scope/name` as the registry path `/@scope%2fname`. */
const packagePath = (name: string) => `/${name.replace('/', '%2f')}`;
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** @internal The registry's JSON (or bytes) for a path or URL; every failure a DocsError. */
export async function request(access: RegistryAccess, pathOrUrl: string, as: 'json' | 'bytes' = 'json'): Promise<unknown> {
  const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${access.registry.replace(/\/+$/, '')}${pathOrUrl}`;
  const headers: Record<string, string> = { accept: as === 'json' ? 'application/json' : '*/*' };
  // The token goes only to the registry it belongs to, never to a tarball host elsewhere.
  if (access.token && new URL(url).origin === new URL(access.registry).origin) headers.authorization = `Bearer ${access.token}`;
  let res: Response;
  try {
    res = await (access.fetch ?? fetch)(url, { headers });
  } catch (cause) {
    throw new DocsError('FETCH_FAILED', `cannot reach ${new URL(url).origin} (is the registry running?)`, { cause });
  }
  if (res.status === 404) throw new DocsError('NOT_FOUND', `${new URL(url).pathname}: not found on ${access.registry}`);
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: unknown } | null;
    throw new DocsError('FETCH_FAILED', `GET ${new URL(url).pathname}: ${res.status} ${typeof body?.error === 'string' ? body.error : res.statusText}`);
  }
  if (as === 'bytes') return new Uint8Array(await res.arrayBuffer());
  try {
    return await res.json();
  } catch (cause) {
    throw new DocsError('FETCH_FAILED', `GET ${new URL(url).pathname}: the answer is not JSON`, { cause });
  }
}

/** The types entry a manifest names: `types`, `typings`, or `exports["."].types`. */
function typesEntry(m: Manifest, declarations: Map<string, string>): string | undefined {
  const dot = (m.exports as Record<string, unknown> | undefined)?.['.'];
  const fromExports = typeof dot === 'object' && dot !== null ? str((dot as Record<string, unknown>).types) ?? str(((dot as Record<string, unknown>).import as Record<string, unknown> | undefined)?.types) : undefined;
  const named = str(m.types) ?? str(m.typings) ?? fromExports;
  const clean = (p: string) => p.replace(/^\.\//, '');
  if (named && declarations.has(clean(named))) return clean(named);
  if (named && declarations.has(`${clean(named).replace(/\.d\.ts$|\.ts$/, '')}.d.ts`)) return `${clean(named).replace(/\.d\.ts$|\.ts$/, '')}.d.ts`;
  if (declarations.has('index.d.ts')) return 'index.d.ts';
  return named ? clean(named) : undefined;
}

/**
 * Fetches a package's docs from the registry: metadata from the packument, the README and the
 * exported symbols (TypeScript compiler API) from the version's tarball, checked against its
 * integrity. `spec` is `name`, `name@version`, `name@range` or `name@tag` (npm-package-arg).
 * @example
 * const docs = await fetchPackageDocs({ registry: 'http://127.0.0.1:4873' }, '@acme/ui@^2');
 * docs.symbols.map((s) => `${s.kind} ${s.name}`);
 */
export async function fetchPackageDocs(access: RegistryAccess, spec: string, now = new Date()): Promise<PackageDocs> {
  let parsed: ReturnType<typeof npa>;
  try {
    parsed = npa(spec);
  } catch (cause) {
    throw new DocsError('INVALID_SPEC', `not a package spec: ${JSON.stringify(spec)} (${(cause as Error).message})`, { cause });
  }
  if (!parsed.name || !['version', 'range', 'tag'].includes(parsed.type)) {
    throw new DocsError('INVALID_SPEC', `give a registry package as name[@version|@range|@tag], got ${JSON.stringify(spec)}`);
  }
  const name = parsed.name;
  const doc = (await request(access, packagePath(name)).catch((err: unknown) => {
    if ((err as DocsError).code === 'NOT_FOUND') throw new DocsError('NOT_FOUND', `package ${name} not found on ${access.registry}`);
    throw err;
  })) as Packument;
  const versions = Object.keys(doc.versions ?? {}).filter((v) => semver.valid(v)).sort(semver.compare);
  const tags = doc['dist-tags'] ?? {};
  const wanted = parsed.fetchSpec ?? 'latest';
  const version = parsed.type === 'tag' ? tags[wanted] : parsed.type === 'version' ? (versions.includes(wanted) ? wanted : undefined)
    : (tags.latest && semver.satisfies(tags.latest, wanted) ? tags.latest : semver.maxSatisfying(versions, wanted) ?? undefined);
  if (!version) throw new DocsError('NOT_FOUND', `${name} has no version matching ${JSON.stringify(parsed.rawSpec || 'latest')} (versions: ${versions.slice(-5).join(', ') || 'none'})`);
  const manifest = doc.versions![version]!;
  let readme = '';
  let declarations = new Map<string, string>();
  const tarballUrl = manifest.dist?.tarball;
  if (tarballUrl) {
    const bytes = (await request(access, tarballUrl, 'bytes')) as Uint8Array;
    if (manifest.dist?.integrity && !ssri.checkData(bytes, manifest.dist.integrity)) {
      throw new DocsError('INTEGRITY', `the tarball of ${name}@${version} does not match its integrity ${manifest.dist.integrity.slice(0, 20)}...`);
    }
    const t = await readTarball(bytes);
    readme = t.readme ?? '';
    declarations = t.declarations;
  }
  if (!readme && version === tags.latest) readme = doc.readme ?? '';
  const types = typesEntry(manifest, declarations);
  const symbols = types && declarations.has(types) ? await extractSymbols(declarations, types) : [];
  const repository = typeof manifest.repository === 'object' && manifest.repository !== null ? str((manifest.repository as { url?: unknown }).url) : str(manifest.repository);
  const keywords = Array.isArray(manifest.keywords) ? manifest.keywords.filter((k): k is string => typeof k === 'string') : [];
  const description = str(manifest.description) ?? str(doc.description);
  const homepage = str(manifest.homepage);
  const license = str(manifest.license);
  return {
    name, version, versions, distTags: tags, readme, symbols, registry: access.registry, fetchedAt: now.toISOString(),
    ...(description ? { description } : {}), ...(homepage ? { homepage } : {}), ...(repository ? { repository } : {}),
    ...(license ? { license } : {}), ...(keywords.length ? { keywords } : {}), ...(types ? { types } : {}),
  };
}
