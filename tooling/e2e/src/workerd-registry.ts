import { join } from 'node:path';
import { bundleWorker, startWorkers, type RunningWorkers } from '@factorywager/workerd-test';
import { repoRoot, testConfig } from './registry-process.ts';

/** Registries running in workerd (apps/server/src/worker.ts) over one R2 bucket. */
export interface WorkerdRegistries {
  /** Each replica's URL, in the order asked for. */
  urls: string[];
  /** The first replica's URL (the public URL when REGISTRY_URL is not set otherwise). */
  url: string;
  workers: RunningWorkers;
  stop(): Promise<void>;
}

let bundled: Promise<string> | undefined;

/** The Workers entry bundled from the sources (once per process). */
export function workerScript(): Promise<string> {
  bundled ??= bundleWorker(join(repoRoot, 'apps/server/src/worker.ts'));
  return bundled;
}

/**
 * Starts `replicas` copies of the registry Worker in workerd, each its own isolate on its own
 * 127.0.0.1 port, all bound (as REGISTRY_BUCKET) to one bucket of miniflare's R2 simulator, which
 * applies conditional puts atomically. `bindings` are the Worker's vars and secrets; REGISTRY_CONFIG
 * is the test config of startRegistry (proxy off, or `upstream` for every name).
 */
export async function startWorkerdRegistries(options: {
  replicas?: number; bindings?: Record<string, string>; persistDir?: string; upstream?: string; config?: Record<string, unknown>;
} = {}): Promise<WorkerdRegistries> {
  const script = await workerScript();
  const n = options.replicas ?? 1;
  const names = Array.from({ length: n }, (_, i) => `registry-${i}`);
  const workers = await startWorkers(names.map((name) => ({
    name,
    script,
    r2Buckets: { REGISTRY_BUCKET: 'fw-registry' },
    bindings: {
      REGISTRY_SECRET: 'e2e-secret-of-at-least-thirty-two-characters',
      FW_PASSWORD_ITERATIONS: '20000',
      REGISTRY_CONFIG: JSON.stringify(testConfig({ ...(options.upstream ? { upstream: options.upstream } : {}), ...(options.config ? { config: options.config } : {}) })),
      ...options.bindings,
    },
  })), options.persistDir ? { persistDir: options.persistDir } : {});
  const urls = names.map((name) => workers.urls[name]!);
  return { urls, url: urls[0]!, workers, stop: () => workers.stop() };
}

/** One registry Worker in workerd, for the shared scenario (`registryScenario(client, { startRegistry })`). */
export async function startWorkerdRegistry(options: { upstream?: string } = {}): Promise<WorkerdRegistries> {
  return startWorkerdRegistries({ replicas: 1, ...options });
}
