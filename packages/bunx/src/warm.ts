// The cache-hit path of `bunx:run`: decides from the cache alone (plus one conditional GET for a
// dist-tag) whether the entry to run is there, and if so runs the bin: in this process where it
// can (_in-process.ts), else by replacing this process with it.
// It loads no node: module and no dependency, only the runner's small pure modules and Bun's file
// API (_warm-io.ts); anything else (a miss, a changed packument, an unreachable registry, offline
// ranges) is left to the full runner.
import { binCommand, binEnv, binFile, chooseBin, selfBun } from './_bin.ts';
import { ENTRY_FILE, EXACT_VERSION, LAST_USE_FILE, PACKAGE_DIR, SIMPLE_NAME, defaultCacheDir, entryDir, homeDir, joinPath, metaFile, type EntryRecord, type MetaIndex } from './_layout.ts';
import { readPlan, runInProcess } from './_in-process.ts';
import { chooseRegistry } from './_registry-url.ts';
import { loadNpmrcAsync, readText, statOf, touch } from './_warm-io.ts';
import type { CredentialLookup } from './config.ts';

export interface WarmRequest {
  /** `name`, `name@1.2.3`, `name@^1`, `name@tag`. */
  spec: string;
  args: string[];
  bin?: string;
  runtime?: 'bun' | 'node';
  offline?: boolean;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** The keychain step of the token lookup (asked only when a dist-tag's anonymous GET is refused). */
  credentials?: CredentialLookup;
  now?: number;
  fetch?: typeof fetch;
}

export type WarmResult =
  | { hit: true; file: string; args: string[]; runtime: 'bun' | 'node'; bun: string; env: Record<string, string | undefined>; entryDir: string; version: string }
  | { hit: false; reason: string };

const miss = (reason: string): WarmResult => ({ hit: false, reason });

async function readJson<T>(path: string): Promise<T | null> {
  const text = await readText(path);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

const uid = typeof process.getuid === 'function' ? process.getuid() : null;
/** 'owned', 'foreign' (another user's, or writable by every user) or 'absent'. */
async function ownership(path: string): Promise<'owned' | 'foreign' | 'absent'> {
  const st = await statOf(path);
  if (!st?.isDirectory()) return 'absent';
  return uid === null || (st.uid === uid && (st.mode & 0o002) === 0) ? 'owned' : 'foreign';
}

/**
 * Looks for a cache hit: an exact version that is cached, a range resolved within
 * VERSION_CACHE_TTL, or a dist-tag the registry confirms unchanged (304). Never throws for a
 * miss: the caller runs the full runner then.
 * @example
 * const hit = await warmLookup({ spec: '@acme/cli@1.2.0', args: ['--help'] });
 * if (hit.hit) execWarm(hit); else await fullRunner();
 */
export async function warmLookup(req: WarmRequest): Promise<WarmResult> {
  const env = req.env ?? process.env;
  const at = req.spec.lastIndexOf('@');
  const name = at > 0 ? req.spec.slice(0, at) : req.spec;
  const raw = at > 0 ? req.spec.slice(at + 1) : '';
  if (!SIMPLE_NAME.test(name)) return miss('spec');
  let registry: string;
  try {
    const rc = env.REGISTRY_URL?.trim() ? new Map<string, string>() : await loadNpmrcAsync(req.cwd ?? process.cwd(), homeDir(env), env);
    registry = chooseRegistry(name, undefined, env, () => rc).registry;
  } catch {
    return miss('registry');
  }
  const cacheDir = defaultCacheDir(env);
  if ((await ownership(cacheDir)) !== 'owned') return miss('cache folder');
  let version: string | undefined;
  if (EXACT_VERSION.test(raw)) {
    version = raw;
  } else {
    const index = await readJson<MetaIndex>(metaFile(cacheDir, registry, name, 'idx'));
    if (!index) return miss('no metadata');
    const ttl = Number(env.VERSION_CACHE_TTL?.trim() || 300);
    const tag = raw || 'latest';
    if (index.ranges?.[raw] && !index.tags?.[raw] && raw !== '') {
      if (!(Number.isFinite(ttl) && (req.now ?? Date.now()) - index.fetchedAt < ttl * 1000)) return miss('range stale');
      version = index.ranges[raw];
    } else if (index.tags?.[tag] && !req.offline) {
      if (!index.etag) return miss('no etag');
      try {
        // The cheap tokens first (FW_TOKEN); without one the GET goes anonymous, and only a registry
        // that refuses it makes the full lookup (keychain, .npmrc) run, in its order, for one retry.
        const cheap = env.FW_TOKEN?.trim() || null;
        let status = await conditionalGet(req, registry, name, index.etag, cheap);
        if ((status === 401 || status === 403) && !cheap) {
          const { RegistryConfig } = await import('./config.ts');
          const token = await new RegistryConfig({ env, cwd: req.cwd, credentials: req.credentials }).tokenFor(registry);
          if (token) status = await conditionalGet(req, registry, name, index.etag, token);
        }
        if (status !== 304) return miss(`packument ${status}`);
      } catch {
        return miss('unreachable');
      }
      version = index.tags[tag];
    } else {
      return miss('unresolved');
    }
  }
  if (!version || !EXACT_VERSION.test(version)) return miss('version');
  const dir = entryDir(cacheDir, registry, name, version);
  const owner = await ownership(dir);
  if (owner !== 'owned') return miss(owner === 'foreign' ? 'entry not owned' : 'not cached');
  const record = await readJson<EntryRecord>(joinPath(dir, ENTRY_FILE));
  if (!record) return miss('entry record');
  const choice = chooseBin(name, record.bin ?? {}, req.bin);
  if (!choice.ok) return miss('bin');
  const packageDir = joinPath(dir, PACKAGE_DIR);
  const file = binFile(packageDir, choice.path);
  if (!file) return miss('bin path');
  return { hit: true, file, args: req.args, runtime: req.runtime ?? 'bun', bun: selfBun().bun, env, entryDir: dir, version };
}

async function conditionalGet(req: WarmRequest, registry: string, name: string, etag: string, token: string | null): Promise<number> {
  const headers: Record<string, string> = { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*', 'if-none-match': etag };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await (req.fetch ?? fetch)(`${registry}/${name.replace('/', '%2f')}`, { headers, signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  return res.status;
}

/**
 * Records the run, then runs the bin. With `--bun` semantics (the default) under Bun the bin runs in
 * this very process (_in-process.ts: one Bun start fewer, which is what makes a warm run as cheap as
 * `bun x`); the promise resolves once its module is evaluated, and the process exits with the bin's
 * code when the bin is done. Otherwise (`--node`, a bin that asks whether it is the main module, a
 * non-JavaScript bin, an env other than this process's) this process is replaced with the bin
 * (`process.execve`, so signals, stdio and the exit code are the bin's own); where there is no
 * execve (Node 20) the bin runs as a child with SIGINT/SIGTERM forwarded, and this process exits
 * with its code. FW_BUNX_DEBUG=1 says on stderr which way it went.
 * @example
 * const hit = await warmLookup({ spec: 'pkg@1.0.0', args: [] });
 * if (hit.hit) await execWarm(hit); // returns only when the bin ran in this process
 */
export async function execWarm(hit: Extract<WarmResult, { hit: true }>): Promise<void> {
  await touch(joinPath(hit.entryDir, LAST_USE_FILE));
  const packageDir = joinPath(hit.entryDir, PACKAGE_DIR);
  if (hit.runtime === 'bun' && hit.env === process.env) {
    const plan = await readPlan(hit.file, packageDir);
    if (process.env.FW_BUNX_DEBUG) process.stderr.write(`bunx: warm hit, ${plan.run === 'exec' ? `exec (${plan.reason})` : `in process (${plan.run})`}\n`);
    if (plan.run !== 'exec') return runInProcess(plan, { file: hit.file, args: hit.args, packageDir });
  }
  const execve = (process as { execve?: (file: string, args: string[], env: Record<string, string | undefined>) => never }).execve;
  if (typeof execve === 'function') {
    const command = binCommand(hit);
    execve(command[0]!, command, { ...binEnv(packageDir, hit.env, hit.runtime), ...(hit.runtime === 'node' ? {} : selfBun().env) });
  }
  const { runBin } = await import('./run.ts');
  process.exit(await runBin({ ...hit, env: { ...hit.env, ...(hit.runtime === 'node' ? {} : selfBun().env) }, packageDir }));
}
