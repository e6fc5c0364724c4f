// Which bin to run. No imports: the warm path uses it.
import { isAbsolute, relative, resolve } from 'node:path';

/** A package.json `bin` field as a name -> path map (a string bin is named after the package). */
export function binMap(name: string, bin: unknown): Record<string, string> {
  const unscoped = name.replace(/^@[^/]+\//, '');
  if (typeof bin === 'string') return bin ? { [unscoped]: bin } : {};
  const out: Record<string, string> = {};
  if (bin && typeof bin === 'object') {
    for (const [k, v] of Object.entries(bin as Record<string, unknown>)) if (typeof v === 'string' && v) out[k] = v;
  }
  return out;
}

export type BinChoice = { ok: true; name: string; path: string } | { ok: false; message: string };

/** The only bin, the one named like the package, or the requested one (as `bun x` chooses). */
export function chooseBin(pkg: string, bins: Record<string, string>, requested?: string): BinChoice {
  const names = Object.keys(bins);
  if (requested !== undefined) {
    const path = bins[requested];
    return path ? { ok: true, name: requested, path } : { ok: false, message: `${pkg} has no bin "${requested}" (bins: ${names.join(', ') || 'none'})` };
  }
  if (names.length === 0) return { ok: false, message: `${pkg} has no bin to run` };
  if (names.length === 1) return { ok: true, name: names[0]!, path: bins[names[0]!]! };
  const unscoped = pkg.replace(/^@[^/]+\//, '');
  if (bins[unscoped]) return { ok: true, name: unscoped, path: bins[unscoped] };
  return { ok: false, message: `${pkg} has several bins (${names.join(', ')}): choose one with --bin` };
}

/** The bin's file inside the package folder, or null when its path would leave it. */
export function binFile(packageDir: string, path: string): string | null {
  const file = resolve(packageDir, path);
  const rel = relative(packageDir, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? file : null;
}
