import { proxySummary } from '@factorywager/registry-server';
import { loadRegistryConfig, NPMRegistryServer, stopOnSignal } from '@factorywager/registry-server/node';

/**
 * Loads the config (REGISTRY_CONFIG or ./registry.config.json5, then the environment), starts the
 * server, prints where it listens, and stops cleanly on SIGINT/SIGTERM.
 */
export async function start(env: Record<string, string | undefined> = process.env): Promise<void> {
  try {
    const config = await loadRegistryConfig({ path: env.REGISTRY_CONFIG || undefined, env });
    const server = await new NPMRegistryServer(config).start();
    process.stderr.write(`registry listening on ${server.url}/ (store: ${config.storage.driver})\n${proxySummary(config).map((l) => `  ${l}\n`).join('')}`);
    const signal = await stopOnSignal(server);
    process.stderr.write(`registry stopped (${signal})\n`);
  } catch (err) {
    const e = err as { code?: unknown; message?: string };
    process.stderr.write(typeof e.code === 'string' ? `registry: ${e.message} [${e.code}]\n` : `registry: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
