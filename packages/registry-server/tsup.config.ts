import { packageConfig } from '@factorywager/build/tsup';

// Two entries: the web-standard core (no `node:` imports) and ./node (config loader, server).
export default packageConfig({ entry: ['src/index.ts', 'src/node.ts'] });
