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
const RESERVED = new Set(['default', 'delete', 'new', 'class', 'function', 'import', 'export', 'in', 'of', 'with', 'var', 'let', 'const']);

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
          // CommonJS dependencies (postcss, sax...) require() built-ins, which an ES module on workerd
          // cannot: they get a small ES module that imports the built-in and hands it over.
          if (args.kind === 'require-call') return { path: bare, namespace: 'node-builtin' };
          return { path: `node:${bare}`, external: true };
        });
        b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, async (args) => {
          // named exports spelled out (from this runtime's module of the same name): Bun's bundler
          // loses `export *` of an external module inside a module that is require()d
          const names = Object.keys(await import(`node:${args.path}`)).filter((n) => !RESERVED.has(n) && /^[A-Za-z_$][\w$]*$/.test(n));
          const lines = [`import * as m from "node:${args.path}";`, ...names.map((n) => `export const ${n} = m.${n};`), 'export default m.default ?? m;'];
          return { loader: 'js', contents: lines.join('\n') };
        });
      },
    }],
  });
  if (!out.success) throw new Error(`bundling ${entry} failed:\n${out.logs.map(String).join('\n')}`);
  return out.outputs[0]!.text();
}
