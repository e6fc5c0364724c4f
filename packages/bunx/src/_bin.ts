// Which bin to run, and how (and with which bun). No imports: the warm path uses it.

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

/**
 * The bin's file inside the package folder, or null when its path would leave it (absolute, or more
 * `..` than folders). String work only, so the warm path needs no node:path.
 */
export function binFile(packageDir: string, path: string): string | null {
  const text = path.replace(/\\/g, '/');
  if (text.startsWith('/') || /^[A-Za-z]:/.test(text)) return null;
  const parts: string[] = [];
  for (const seg of text.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.length ? `${packageDir}/${parts.join('/')}` : null;
}

/**
 * The command line a bin runs with: `[bun, --bun, file, ...args]` or `[file, ...args]`.
 * @example
 * binCommand({ file: '/c/package/cli.js', args: ['-h'] }); // ['bun', '--bun', '/c/package/cli.js', '-h']
 */
export function binCommand(options: { file: string; args?: string[]; runtime?: 'bun' | 'node'; bun?: string }): string[] {
  const args = options.args ?? [];
  return options.runtime === 'node' ? [options.file, ...args] : [options.bun ?? 'bun', '--bun', options.file, ...args];
}

/**
 * The environment a bin runs in: the caller's, with the package's node_modules/.bin first on PATH.
 * Under 'node', the `node` shim folders `bun --bun` puts on PATH (`bun-node-*`) are dropped, so a
 * `#!/usr/bin/env node` shebang finds the real Node.
 */
export function binEnv(packageDir: string, env: Record<string, string | undefined>, runtime: 'bun' | 'node' = 'bun'): Record<string, string | undefined> {
  const bin = `${packageDir}/node_modules/.bin`;
  const delimiter = process.platform === 'win32' ? ';' : ':';
  const rest = (env.PATH ?? '').split(delimiter).filter((dir) => dir && !(runtime === 'node' && /(^|[\\/])bun-node-[^\\/]*$/.test(dir)));
  return { ...env, PATH: [bin, ...rest].join(delimiter) };
}

/** A Bun single-file executable's own modules live under this virtual root (`bun build --compile`). */
const COMPILED_MAIN = /^(?:\/\$bunfs\/|[A-Za-z]:[\\/]~BUN[\\/])/;

/**
 * The `bun` that runs bins and installs: this process's own executable under Bun, else `bun` from
 * PATH. A single-file executable built with `bun build --compile` (such as `fw`) holds the whole Bun
 * runtime but acts as the bun CLI only with BUN_BE_BUN=1 in its environment, which `env` then carries
 * (so `fw` needs no Bun installed to install and run a package).
 * @example
 * const { bun, env } = selfBun(); // { bun: '/usr/local/bin/bun', env: {} } under `bun`
 */
export function selfBun(): { bun: string; env: Record<string, string> } {
  const main = (globalThis as { Bun?: { main: string } }).Bun?.main;
  if (main === undefined) return { bun: 'bun', env: {} };
  return { bun: process.execPath, env: COMPILED_MAIN.test(main) ? { BUN_BE_BUN: '1' } : {} };
}
