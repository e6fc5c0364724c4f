// The cache-hit path of `bunx:run`: decides from the cache alone (plus one conditional GET for a
// dist-tag) whether the entry to run is there, and if so replaces this process with the bin.
// It imports only node: built-ins and the runner's small internal modules; anything else (a miss,
// a changed packument, an unreachable registry, offline ranges) is left to the full runner.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { binFile, chooseBin } from './_bin.ts';
import { ENTRY_FILE, EXACT_VERSION, PACKAGE_DIR, SIMPLE_NAME, entryDir, metaFile, type EntryRecord, type MetaIndex } from './_layout.ts';
import { defaultCacheDir, touchLastUse } from './cache.ts';
import { RegistryConfig, type CredentialLookup } from './config.ts';
import { binCommand, binEnv, runBin } from './run.ts';

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

function readIndex(path: string): MetaIndex | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as MetaIndex;
  } catch {
    return null;
  }
}

const uid = typeof process.getuid === 'function' ? process.getuid() : null;
const ownedDir = (path: string) => {
  const st = statSync(path, { throwIfNoEntry: false });
  return Boolean(st?.isDirectory() && (uid === null || (st.uid === uid && (st.mode & 0o002) === 0)));
};

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
  let config: RegistryConfig;
  try {
    config = new RegistryConfig({ env, cwd: req.cwd, credentials: req.credentials });
    registry = config.registryFor(name);
  } catch {
    return miss('registry');
  }
  const cacheDir = defaultCacheDir(env);
  if (!ownedDir(cacheDir)) return miss('cache folder');
  let version: string | undefined;
  if (EXACT_VERSION.test(raw)) {
    version = raw;
  } else {
    const index = readIndex(metaFile(cacheDir, registry, name, 'idx'));
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
          const token = await config.tokenFor(registry);
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
  if (!ownedDir(dir)) return miss(existsSync(dir) ? 'entry not owned' : 'not cached');
  let record: EntryRecord;
  try {
    record = JSON.parse(readFileSync(join(dir, ENTRY_FILE), 'utf8')) as EntryRecord;
  } catch {
    return miss('entry record');
  }
  const choice = chooseBin(name, record.bin ?? {}, req.bin);
  if (!choice.ok) return miss('bin');
  const packageDir = join(dir, PACKAGE_DIR);
  const file = binFile(packageDir, choice.path);
  if (!file) return miss('bin path');
  const bun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined' ? process.execPath : 'bun';
  return { hit: true, file, args: req.args, runtime: req.runtime ?? 'bun', bun, env, entryDir: dir, version };
}

async function conditionalGet(req: WarmRequest, registry: string, name: string, etag: string, token: string | null): Promise<number> {
  const headers: Record<string, string> = { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*', 'if-none-match': etag };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await (req.fetch ?? fetch)(`${registry}/${name.replace('/', '%2f')}`, { headers, signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  return res.status;
}

/**
 * Records the run and replaces this process with the bin (`process.execve`, so signals, stdio and
 * the exit code are the bin's own). Where there is no execve (Node 20) the bin runs as a child
 * with SIGINT/SIGTERM forwarded, and this process exits with its code.
 * @example
 * const hit = await warmLookup({ spec: 'pkg@1.0.0', args: [] });
 * if (hit.hit) await execWarm(hit);
 */
export async function execWarm(hit: Extract<WarmResult, { hit: true }>): Promise<never> {
  touchLastUse(hit.entryDir);
  const packageDir = join(hit.entryDir, PACKAGE_DIR);
  const execve = (process as { execve?: (file: string, args: string[], env: Record<string, string | undefined>) => never }).execve;
  if (typeof execve === 'function') {
    const command = binCommand(hit);
    execve(command[0]!, command, binEnv(packageDir, hit.env, hit.runtime));
  }
  process.exit(await runBin({ ...hit, packageDir }));
}
