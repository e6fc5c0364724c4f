import { homedir } from 'node:os';
import { binFile, chooseBin, selfBun } from './_bin.ts';
import { assertOwned, isDir } from './_fs.ts';
import { ensureEntry, type Entry } from './_entry.ts';
import { resolveSpec, type Resolution, type ResolverDeps } from './_resolver.ts';
import { cleanEntries, defaultCacheDir, listEntries, touchLastUse, type CacheEntry } from './cache.ts';
import { RegistryConfig, type CredentialLookup } from './config.ts';
import { BunxError } from './errors.ts';
import { runBin } from './run.ts';
import { parseSpec } from './spec.ts';

export interface BunXOptions {
  /** The registry URL (a path prefix is kept); else REGISTRY_URL, .npmrc, the local default. */
  registry?: string;
  /** The token; else FW_TOKEN, the keychain secret `registry:<host>`, .npmrc. */
  token?: string;
  /** The cache folder; else BUNX_CACHE_DIR, else `~/.bun/registry-cache`. */
  cacheDir?: string;
  /** The keychain step of the token lookup. Without it no keychain is asked. */
  credentials?: CredentialLookup;
  /** Seconds a resolved range is trusted before a conditional GET; else VERSION_CACHE_TTL, else 300. */
  ttlSeconds?: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
  home?: string;
  /** Warnings (a cached entry run because the registry is unreachable); default: stderr. */
  onWarning?: (message: string) => void;
  fetch?: typeof fetch;
  /** The Bun executable for installs and runs; default: this process when it is Bun, else `bun`. */
  bun?: string;
  now?: () => number;
}

export interface ExecuteOptions {
  /** `name`, or `name@version|range|tag` when `version` is not given. */
  package: string;
  version?: string;
  args?: string[];
  /** Which bin to run when the package has several. */
  bin?: string;
  /** The bin's environment; default: this process's. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Use only the cache; a miss is an OFFLINE_MISS error naming what is missing. */
  offline?: boolean;
  /** Run lifecycle scripts when installing dependencies. */
  allowScripts?: boolean;
  /** 'bun' (default) runs the bin under Bun; 'node' executes it, honouring its shebang. */
  runtime?: 'bun' | 'node';
}

/** A resolved spec with its entry, ready to run. */
export interface Prepared extends Resolution {
  entry: Entry;
}

/**
 * VERSION_CACHE_TTL in seconds (default 300); a bad value is an error, not a silent default.
 * @example
 * ttlFromEnv({ VERSION_CACHE_TTL: '60' }); // 60
 */
export function ttlFromEnv(env: Record<string, string | undefined>): number {
  const raw = env.VERSION_CACHE_TTL?.trim();
  if (!raw) return 300;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new BunxError('INVALID_OPTION', `VERSION_CACHE_TTL must be a number of seconds, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * `bun x` for a private registry: resolves a package spec, downloads and verifies the tarball,
 * caches it (with its dependencies from the same registry) and runs its bin.
 * @example
 * const bunx = new BunXIntegration({ registry: 'http://127.0.0.1:4873', token: process.env.FW_TOKEN });
 * const code = await bunx.execute({ package: '@acme/cli', version: '^1.0.0', args: ['--help'] });
 * console.log(await bunx.resolveVersion('@acme/cli', '^1.0.0')); // '1.3.0'
 * console.log(await bunx.listCache());
 * const { bytesFreed } = await bunx.cleanCache(30);
 */
export class BunXIntegration {
  readonly cacheDir: string;
  readonly config: RegistryConfig;
  private readonly env: Record<string, string | undefined>;
  private readonly ttlMs: number;
  private readonly bun: string;
  /** What the `bun` needs in its environment (BUN_BE_BUN=1 when it is a single-file executable). */
  private readonly bunEnv: Record<string, string>;

  constructor(private readonly options: BunXOptions = {}) {
    this.env = options.env ?? process.env;
    this.cacheDir = options.cacheDir ?? defaultCacheDir(this.env, options.home ?? (this.env.HOME || homedir()));
    this.config = new RegistryConfig({ registry: options.registry, token: options.token, env: this.env, cwd: options.cwd, home: options.home, credentials: options.credentials });
    this.ttlMs = (options.ttlSeconds ?? ttlFromEnv(this.env)) * 1000;
    const self = selfBun();
    this.bun = options.bun ?? self.bun;
    this.bunEnv = options.bun ? {} : self.env;
  }

  private resolver(): ResolverDeps {
    return {
      config: this.config,
      cacheDir: this.cacheDir,
      ttlMs: this.ttlMs,
      now: this.options.now ?? Date.now,
      fetch: this.options.fetch,
      warn: this.options.onWarning ?? ((m) => process.stderr.write(`warning: ${m}\n`)),
    };
  }

  /** The version a spec resolves to now (asking the registry as the freshness rules say). */
  async resolve(pkg: string, version?: string, options: { offline?: boolean } = {}): Promise<Resolution> {
    return resolveSpec(this.resolver(), parseSpec(pkg, version), options);
  }

  /**
   * The version `name@range` resolves to (a range, exact version or dist-tag; `latest` when omitted).
   * @example
   * await bunx.resolveVersion('@acme/cli', '^1.0.0'); // '1.3.0'
   */
  async resolveVersion(name: string, range?: string): Promise<string> {
    return (await this.resolve(name, range)).version;
  }

  /** Resolves and makes sure the entry is in the cache (downloading and installing on a miss). */
  async prepare(options: Pick<ExecuteOptions, 'package' | 'version' | 'offline' | 'allowScripts'>): Promise<Prepared> {
    const spec = parseSpec(options.package, options.version);
    if (isDir(this.cacheDir)) assertOwned(this.cacheDir, 'the cache folder');
    const res = await resolveSpec(this.resolver(), spec, { offline: options.offline });
    const entry = await ensureEntry({
      config: this.config,
      cacheDir: this.cacheDir,
      fetch: this.options.fetch,
      allowScripts: options.allowScripts,
      bun: this.bun,
      env: { ...this.env, ...this.bunEnv },
    }, res);
    return { ...res, entry };
  }

  /**
   * Runs a package's bin and resolves with its exit code.
   * @example
   * process.exitCode = await bunx.execute({ package: '@acme/cli@^1', args: process.argv.slice(2) });
   */
  async execute(options: ExecuteOptions): Promise<number> {
    const { entry, name } = await this.prepare(options);
    const choice = chooseBin(name, entry.record.bin, options.bin);
    if (!choice.ok) throw new BunxError('BIN_NOT_FOUND', choice.message);
    const file = binFile(entry.packageDir, choice.path);
    if (!file) throw new BunxError('BIN_NOT_FOUND', `${name}: the bin "${choice.name}" points outside the package (${choice.path})`);
    touchLastUse(entry.dir);
    const env = options.env ?? this.env;
    return runBin({ file, args: options.args, runtime: options.runtime, packageDir: entry.packageDir, env: options.runtime === 'node' ? env : { ...env, ...this.bunEnv }, cwd: options.cwd, bun: this.bun });
  }

  /**
   * Every cached entry: name, version, registry, size and last use.
   * @example
   * for (const e of await bunx.listCache()) console.log(e.name, e.version, e.size);
   */
  async listCache(): Promise<CacheEntry[]> {
    return listEntries(this.cacheDir);
  }

  /**
   * Removes entries unused for `days` days (default 30) and reports what was freed.
   * @example
   * const { removed, bytesFreed } = await bunx.cleanCache(30);
   */
  async cleanCache(days = 30): Promise<{ removed: CacheEntry[]; bytesFreed: number }> {
    if (!Number.isFinite(days) || days < 0) throw new BunxError('INVALID_OPTION', `days must be a non-negative number, got ${days}`);
    return cleanEntries(this.cacheDir, days, (this.options.now ?? Date.now)());
  }
}
