import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from './packages/r2-store/src/index.ts';
import { baseConfig, withoutProxy, createAuth, createRegistryHandler } from './packages/registry-server/src/index.ts';
import { seedBigPackage } from './bench/_registry-seed.ts';
const mode = process.argv[2]!;
const root = mkdtempSync(join(tmpdir(), 'fw-sync-'));
const store = createStore({ driver: 'fs', root });
await seedBigPackage(store, 'big', 300, 'x');
const config = withoutProxy(baseConfig());
let pending: string[] = [];
const flush = () => { const t = pending.join(''); pending = []; process.stdout.write(t); };
const sink = Bun.stdout.writer();
let scheduled = false;
const logger = mode === 'log' ? (e: object) => { if (pending.push(`${JSON.stringify(e)}\n`) === 1) setImmediate(flush); }
  : mode === 'sink' ? (e: object) => { sink.write(`${JSON.stringify(e)}\n`); if (!scheduled) { scheduled = true; setImmediate(() => { scheduled = false; sink.flush(); }); } }
  : mode === 'stringonly' ? (e: object) => { JSON.stringify(e); } : undefined;
const handler = createRegistryHandler({ store, config, auth: createAuth({ store, config }), ...(logger ? { logger } : {}) });
const s = Bun.serve({ hostname: '127.0.0.1', port: Number(process.argv[3]), fetch: handler });
const r = await fetch(`http://127.0.0.1:${s.port}/big`); await r.arrayBuffer();
console.error(r.headers.get('etag'));
