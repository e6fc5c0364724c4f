// The standalone server on Node (node:http through the package's adapter). Node 20 loads no .ts:
// `bun build --target=node --conditions=source src/node.ts --outfile dist/server.mjs` first.
import { start } from './start.ts';

await start();
