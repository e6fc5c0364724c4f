import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('portability', () => {
  it('the handler bundles for a browser-like target (Workers) without resolving any node: module or the S3 SDK', async () => {
    const entry = fileURLToPath(new URL('../src/handler.ts', import.meta.url));
    const nodeImports: string[] = [];
    const result = await Bun.build({
      entrypoints: [entry],
      target: 'browser',
      conditions: ['source'],
      plugins: [{
        name: 'record-node-imports',
        setup(build) {
          build.onResolve({ filter: /^node:/ }, (args) => {
            nodeImports.push(`${args.importer} -> ${args.path}`);
            return { path: args.path, external: true };
          });
        },
      }],
    });
    expect(result.success, result.logs.map(String).join('\n')).toBe(true);
    const code = await result.outputs[0]!.text();
    expect(code).toContain('createRegistryHandler');
    expect(nodeImports).toEqual([]);
    expect(code).not.toMatch(/@aws-sdk|S3Client/);
  });
});
