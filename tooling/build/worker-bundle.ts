// The one way a Worker is bundled, for `bun run build` (apps/server) and for the workerd tests and
// benchmarks (tooling/workerd): one ES module, Node built-ins left to workerd's nodejs_compat as
// `node:` imports (Bun's browser stand-ins for them do not run there). Runs on Bun (Bun.build).
import { builtinModules } from 'node:module';

export interface WorkerBundleOptions {
  /** Export conditions; add `source` to take workspace packages from their sources. */
  conditions?: string[];
  minify?: boolean;
  /** Bare specifiers resolved to these files (e.g. `vitest` to a shim). */
  alias?: Record<string, string>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const builtins = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/**
 * Bundles `entry` into one ES module for workerd and resolves to its text.
 * @example
 * const code = await bundleWorker('src/worker.ts', { minify: true });
 */
export async function bundleWorker(entry: string, options: WorkerBundleOptions = {}): Promise<string> {
  const alias = options.alias ?? {};
  const out = await Bun.build({
    entrypoints: [entry],
    target: 'browser',
    format: 'esm',
    minify: options.minify ?? false,
    sourcemap: 'none',
    conditions: [...(options.conditions ?? []), 'workerd', 'worker', 'browser'],
    external: ['cloudflare:*'],
    plugins: [{
      name: 'workerd',
      setup(b) {
        for (const [from, to] of Object.entries(alias)) {
          b.onResolve({ filter: new RegExp(`^${escape(from)}$`) }, () => ({ path: to }));
        }
        b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
          const bare = args.path.replace(/^node:/, '');
          if (!builtins.has(bare) && !builtins.has(bare.split('/')[0]!)) return undefined;
          return { path: `node:${bare}`, external: true };
        });
      },
    }],
  });
  if (!out.success) throw new Error(`bundling ${entry} failed:\n${out.logs.map(String).join('\n')}`);
  return out.outputs[0]!.text();
}
