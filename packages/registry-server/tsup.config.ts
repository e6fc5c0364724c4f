import { packageConfig } from '@factorywager/build/tsup';

// Three entries: the web-standard core (no `node:` imports), ./node (config loader, server) and
// ./workers (the Cloudflare Workers fetch, which needs the nodejs_compat flag for node-tar).
// The tarball worker's entry is a fourth, loaded by ./node with `new Worker` from the same folder
// (found through import.meta.url, which `shims` provides in the CJS build).
export default packageConfig({
  entry: { index: 'src/index.ts', node: 'src/node.ts', workers: 'src/workers.ts', 'tarball-worker': 'src/packages/tarball-worker-entry.ts' },
  shims: true,
});
