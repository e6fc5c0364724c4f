// `bun run bench [filter]`: runs every bench/*.bench.ts (or those whose name contains the filter)
// one after another, each in its own Bun process so that one case's heap does not skew the next.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && f.includes(filter)).sort();
if (files.length === 0) {
  console.error(`bench: no bench/*.bench.ts matches "${filter}"`);
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const proc = Bun.spawn(['bun', '--conditions=source', `${dir}${file}`], { stdout: 'inherit', stderr: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if ((await proc.exited) !== 0) failed++;
}
process.exit(failed ? 1 : 0);
