import { parseTarGzip } from 'nanotar';
import { DocsError } from './errors.ts';

/** What docs need of a tarball: its README and its type declarations, by path inside `package/`. */
export interface TarballDocs {
  readme?: string;
  declarations: Map<string, string>;
}

const MAX_FILE = 5 * 1024 * 1024;
const decoder = new TextDecoder();

/**
 * Reads the README at the package root and every `.d.ts` / `.d.mts` / `.d.cts` file of an npm
 * tarball (gzipped tar, one top folder, usually `package/`).
 */
export async function readTarball(bytes: Uint8Array): Promise<TarballDocs> {
  let entries;
  try {
    entries = await parseTarGzip(bytes);
  } catch (cause) {
    throw new DocsError('INVALID_TARBALL', 'the tarball is not a gzipped tar archive', { cause });
  }
  const out: TarballDocs = { declarations: new Map() };
  for (const e of entries) {
    if (!e.data || e.data.byteLength > MAX_FILE || e.type === 'directory') continue;
    const path = e.name.replace(/^[^/]+\//, '');
    if (!path || path.split('/').includes('..')) continue;
    if (/\.d\.[cm]?ts$/.test(path) && !path.startsWith('node_modules/')) out.declarations.set(path, decoder.decode(e.data));
    else if (/^readme(\.(md|markdown|txt))?$/i.test(path) && out.readme === undefined) out.readme = decoder.decode(e.data);
  }
  return out;
}
