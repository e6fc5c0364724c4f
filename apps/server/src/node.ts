// The standalone server on Node (node:http through the package's adapter), from the built package.
import { start } from './start.ts';

await start();
