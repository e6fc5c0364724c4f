#!/usr/bin/env bun
// `bun run bunx:run`: the warm path first. A cache hit loads only @factorywager/bunx/warm (node:
// built-ins and small modules) and execs the bin; anything else goes to the full CLI
// (`fw bunx run`), which resolves, downloads, verifies, caches and reports errors.
import { execWarm, warmLookup } from '@factorywager/bunx/warm';

const argv = process.argv.slice(2);

/** The leading runner options and the spec, or null when the full CLI should read them (--help, a typo). */
function leading(args: string[]) {
  const out: { bin?: string; runtime?: 'bun' | 'node'; offline?: boolean; spec?: string; rest: string[] } = { rest: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--offline') out.offline = true;
    else if (a === '--node') out.runtime = out.runtime ? undefined : 'node';
    else if (a === '--bun') out.runtime = out.runtime ? undefined : 'bun';
    else if (a === '--bin' && i + 1 < args.length) out.bin = args[++i];
    else if (a.startsWith('--bin=')) out.bin = a.slice(6);
    else if (a === '--allow-scripts') continue;
    else if (a.startsWith('-')) return null;
    else return { ...out, spec: a, rest: args.slice(i + 1) };
  }
  return null;
}

const req = leading(argv);
if (req?.spec) {
  const hit = await warmLookup({
    spec: req.spec,
    args: req.rest,
    bin: req.bin,
    runtime: req.runtime,
    offline: req.offline,
    credentials: async (registry) => (await import('./commands/_bunx-keychain.ts')).keychainLookup(process.env)(registry),
  });
  if (hit.hit) await execWarm(hit);
  else if (process.env.FW_BUNX_DEBUG) process.stderr.write(`bunx: warm path missed (${hit.reason})\n`);
}
const { quietOnClosedPipe } = await import('./kit.ts');
const { main } = await import('./main.ts');
quietOnClosedPipe();
process.exitCode = await main(['bunx', 'run', ...argv]);
