import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Asks the kernel for a free port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface RegistryProcess {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM (or the given signal), wait for exit, remove the data folder unless `keepData`. */
  stop(options?: { signal?: NodeJS.Signals; keepData?: boolean }): Promise<number | null>;
}

export interface StartOptions {
  /** Reuse a data folder (several processes over one store); a fresh temp folder otherwise. */
  dataDir?: string;
  env?: Record<string, string | undefined>;
  /**
   * The registry to proxy for names not published here (e.g. a {@link startUpstream}'s url). Default
   * none: the process runs with `uplinks: {}`, so no test registry ever reaches the internet.
   */
  upstream?: string;
  /**
   * More settings for the process's registry.config.json5 (passed with REGISTRY_CONFIG), over the
   * uplink settings above, e.g. `{ minReleaseAge: '0' }` or `packages: [...]`.
   */
  config?: Record<string, unknown>;
  /**
   * A file for the process's stdout (its request log, one JSON line per request), as a service
   * manager gives it one; default a pipe to this process, kept in `output()`. A load test sets it:
   * reading a log of millions of lines here takes CPU from the server and the load generator.
   */
  requestLog?: string;
}

/** The config file a test registry runs with: proxy off, or `upstream` for every name. */
export function testConfig(options: StartOptions): Record<string, unknown> {
  const proxy = options.upstream
    ? {
        uplinks: { upstream: { url: options.upstream, timeout: 10_000, maxage: 0 } },
        packages: [{ pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'], proxy: ['upstream'] }],
      }
    : { uplinks: {} };
  return { ...proxy, ...options.config };
}

/**
 * Starts apps/server as a real process on a free 127.0.0.1 port and waits until /-/ping answers.
 * Its config file (REGISTRY_CONFIG, in a temp folder of its own) turns the proxy off unless
 * `upstream` is given.
 * @example
 * const up = await startUpstream();
 * const registry = await startRegistry({ upstream: up.url });
 */
export async function startRegistry(options: StartOptions = {}): Promise<RegistryProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'fw-e2e-data-'));
  const ownsData = options.dataDir === undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configDir = mkdtempSync(join(tmpdir(), 'fw-e2e-config-'));
  const configFile = join(configDir, 'registry.config.json5');
  writeFileSync(configFile, `${JSON.stringify(testConfig(options), null, 2)}\n`);
  const cleanup = (data: boolean) => {
    rmSync(configDir, { recursive: true, force: true });
    if (data) rmSync(dataDir, { recursive: true, force: true });
  };
  const logFd = options.requestLog === undefined ? undefined : openSync(options.requestLog, 'a');
  const child = spawn('bun', ['--conditions=source', join(repoRoot, 'apps/server/src/bun.ts')], {
    cwd: dataDir,
    env: {
      // as `bun run registry:start` does: fsyncs hold threads of the pool that every fs call shares
      UV_THREADPOOL_SIZE: '16',
      ...process.env,
      FW_DATA_DIR: dataDir,
      REGISTRY_PORT: String(port),
      REGISTRY_URL: url,
      NO_COLOR: '1',
      REGISTRY_CONFIG: configFile,
      ...options.env,
    } as NodeJS.ProcessEnv,
    stdio: ['ignore', logFd ?? 'pipe', 'pipe'],
  });
  if (logFd !== undefined) closeSync(logFd);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      cleanup(ownsData);
      throw new Error(`registry exited ${child.exitCode} before it answered:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/-/ping`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      cleanup(ownsData);
      throw new Error(`registry did not answer /-/ping within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url,
    port,
    dataDir,
    child,
    output: () => output,
    async stop({ signal = 'SIGTERM', keepData = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      cleanup(ownsData && !keepData);
      return code;
    },
  };
}
