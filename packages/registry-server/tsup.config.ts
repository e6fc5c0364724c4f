import { packageConfig } from '@factorywager/build/tsup';

// Three entries: the web-standard core (no `node:` imports), ./node (config loader, server) and
// ./workers (the Cloudflare Workers fetch, which needs the nodejs_compat flag for node-tar).
export default packageConfig({ entry: ['src/index.ts', 'src/node.ts', 'src/workers.ts'] });
