// The standalone server on Bun (Bun.serve): `bun run start`, or `bun --conditions=source src/bun.ts`.
import { start } from './start.ts';

await start();
