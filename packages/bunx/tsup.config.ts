import { packageConfig } from '@factorywager/build/tsup';

// Two entries: the full runner and ./warm, the cache-hit path that loads nothing else.
export default packageConfig({ entry: ['src/index.ts', 'src/warm.ts'] });
