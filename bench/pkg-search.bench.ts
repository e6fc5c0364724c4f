// A fresh `pkg:search` over 1,000 cached packages (each with a 2 kB README and 12 symbols), as a
// whole `fw` process: every run loads the cache and builds the MiniSearch index anew. Offline, and
// merged with the /-/v1/search of a registry process on 127.0.0.1; `fw --help` is the process floor.
// RUNS spawns each, round-robin; median, p90, min. Shared machine: absolute figures are noisy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DocsCache, type PackageDocs, type SymbolKind } from '../packages/docs/src/index.ts';
import { repoRoot, startRegistry } from '../tooling/e2e/src/index.ts';
import { printFigures, timeProcesses } from './_process.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const PACKAGES = 1000;
const bin = join(repoRoot, 'apps/cli/src/bin.ts');
const words = ['string', 'pad', 'parse', 'format', 'stream', 'buffer', 'async', 'queue', 'cache', 'token', 'widget', 'button', 'render', 'schema', 'config', 'logger'];
const pick = (i: number, n: number) => words[(i * 7 + n * 3) % words.length]!;
const kinds: SymbolKind[] = ['function', 'class', 'interface', 'type', 'variable', 'enum'];

const data = mkdtempSync(join(tmpdir(), 'fw-bench-pkg-'));
const registry = await startRegistry();
try {
  const cache = new DocsCache(join(data, '.docs'));
  const docs: PackageDocs[] = Array.from({ length: PACKAGES }, (_, i) => ({
    name: i % 3 === 0 ? `@bench/${pick(i, 0)}-${i}` : `${pick(i, 1)}-${pick(i, 2)}-${i}`,
    version: `1.${i % 10}.0`, versions: ['1.0.0'], distTags: { latest: `1.${i % 10}.0` },
    description: `${pick(i, 3)} and ${pick(i, 4)} helpers for ${pick(i, 5)} work`, keywords: [pick(i, 6), pick(i, 7)],
    readme: `# pkg ${i}\n\n${Array.from({ length: 40 }, (_, k) => `${pick(i, k)} ${pick(k, i)} lorem ipsum dolor sit amet.`).join(' ')}`,
    symbols: Array.from({ length: 12 }, (_, k) => ({ name: `${pick(i, k)}${pick(k, i + 1)}${k}`, kind: kinds[k % kinds.length]!, doc: `Does ${pick(i, k + 2)} things.` })),
    registry: registry.url, fetchedAt: new Date().toISOString(),
  }));
  await Promise.all(docs.map((d) => cache.put(d)));
  const env = { ...process.env, NO_COLOR: '1', FW_DATA_DIR: data, REGISTRY_URL: registry.url, FW_TOKEN: '' };
  const search = ['bun', '--conditions=source', bin, 'pkg', 'search', 'pad string'];
  const check = Bun.spawnSync([...search, '--offline', '--json'], { env, cwd: data, stderr: 'pipe' });
  const hits = (JSON.parse(check.stdout.toString()) as { hits: unknown[] }).hits.length;
  if (check.exitCode !== 0 || hits === 0) throw new Error(`search found nothing: ${check.stderr}`);
  const figures = timeProcesses([
    { label: 'fw --help', cmd: ['bun', '--conditions=source', bin, '--help'], env, cwd: data },
    { label: 'pkg:local', cmd: ['bun', '--conditions=source', bin, 'pkg', 'local'], env, cwd: data },
    { label: 'pkg:search --offline', cmd: [...search, '--offline'], env, cwd: data },
    { label: 'pkg:search (merged with registry)', cmd: search, env, cwd: data },
  ], RUNS);
  console.log(`${PACKAGES} cached packages, ${PACKAGES * 12} symbols, ${RUNS} runs each (shared machine: noisy)`);
  printFigures(figures, 'fw --help');
} finally {
  await registry.stop();
  rmSync(data, { recursive: true, force: true });
}
