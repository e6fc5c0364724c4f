// The web UI in real headless Chromium against a real registry process (all on 127.0.0.1):
// - the package page of a 3,478-version package (the real typescript packument, stored as a local
//   package, with a README and 100 history events): time until it is interactive (its script has run:
//   `data-ready`), DOMContentLoaded and the load event, median of 7 loads; target under 1 s;
// - the package list with 10,000 packages (written as manifests, so the first request rebuilds the
//   package index from them, timed too): the server time (Server-Timing of the page, and the time to
//   the first byte as Chromium saw it) of the first page and of a search, median and p95 of 20 loads
//   each; target under 100 ms.
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createStore, keys } from '../packages/r2-store/src/index.ts';
import { appendHistory } from '../packages/registry-server/src/index.ts';
import { repoRoot, startRegistry } from '../tooling/e2e/src/index.ts';
import { openBrowser } from '../packages/web/test/_fixtures.ts';

const BIG = 'fw-bench-typescript';
const PACKAGES = Number(process.env.BENCH_PACKAGES ?? 10_000);
const PAGE_LOADS = 7;
const LIST_LOADS = 20;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!, max: s[s.length - 1]! };
};
const f = (n: number) => `${n.toFixed(1).padStart(7)} ms`;

// --- seed the store before the registry starts -------------------------------------------------
const dataDir = mkdtempSync(join(tmpdir(), 'fw-bench-web-'));
const store = createStore({ driver: 'fs', root: dataDir });
const fixture = JSON.parse(gunzipSync(readFileSync(join(repoRoot, 'packages/semver-graph/test/fixtures/typescript.json.gz'))).toString('utf8'));
const versions: Record<string, Record<string, unknown>> = {};
for (const [v, m] of Object.entries<Record<string, unknown>>(fixture.versions)) {
  versions[v] = { ...m, name: BIG, version: v, license: 'Apache-2.0', description: 'TypeScript is a language for application scale JavaScript development', _npmUser: { name: 'bench' }, dist: { tarball: `http://127.0.0.1/${BIG}/-/${BIG}-${v}.tgz`, shasum: '0'.repeat(40), integrity: `sha512-${'A'.repeat(86)}==`, unpackedSize: 20_000_000 + v.length } };
}
const readme = `# TypeScript\n\n${'TypeScript is a language for application-scale JavaScript. '.repeat(40)}\n\n## Installing\n\n\`\`\`sh\nnpm install -D typescript\n\`\`\`\n\n${Array.from({ length: 30 }, (_, i) => `- item ${i}: **bold** and \`code\``).join('\n')}\n`;
await store.putJson(keys.manifest(BIG), {
  _id: BIG, _rev: '1-bench', name: BIG, 'dist-tags': fixture['dist-tags'], versions, readme,
  time: { created: '2012-10-01T00:00:00.000Z', modified: '2025-01-01T00:00:00.000Z', ...fixture.time },
  maintainers: [{ name: 'bench' }],
});
const bigCount = Object.keys(versions).length;
const latest = fixture['dist-tags'].latest as string;
for (let b = 0; b < 10; b++) {
  await appendHistory(store, BIG, Array.from({ length: 10 }, (_, i) => ({ type: 'publish' as const, actor: 'bench', time: new Date(Date.UTC(2024, 0, 1, b, i)).toISOString(), version: latest, before: {}, after: { latest } })));
}
const t0 = performance.now();
const words = ['http', 'cache', 'react', 'router', 'auth', 'logger', 'utils', 'form', 'chart', 'date', 'i18n', 'queue', 'stream', 'crypto', 'image'];
const when = new Date('2025-06-01T00:00:00.000Z').toISOString();
for (let start = 0; start < PACKAGES; start += 200) {
  await Promise.all(Array.from({ length: Math.min(200, PACKAGES - start) }, (_, k) => {
    const i = start + k;
    const name = i % 3 === 0 ? `@team${i % 40}/pkg-${i}` : `pkg-${words[i % words.length]}-${i}`;
    const v = `1.${i % 7}.0`;
    return store.putJson(keys.manifest(name), {
      _id: name, _rev: '1-seed', name, 'dist-tags': { latest: v },
      versions: { [v]: { name, version: v, description: `${words[i % words.length]} helpers number ${i} for the bench`, keywords: [words[i % words.length]!, words[(i + 3) % words.length]!], license: 'MIT', _npmUser: { name: 'bench' }, dist: { tarball: '', shasum: '0'.repeat(40), integrity: '' } } },
      time: { created: when, modified: when, [v]: when }, maintainers: [{ name: 'bench' }],
    });
  }));
}
console.log(`seeded ${PACKAGES} packages and one of ${bigCount} versions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const registry = await startRegistry({ dataDir });
const browser = await openBrowser();
try {
  // The first request finds no package index and rebuilds it from the manifests.
  const r0 = performance.now();
  const first = await fetch(`${registry.url}/-/fw/packages`);
  const listed = ((await first.json()) as { packages: unknown[] }).packages.length;
  console.log(`package index rebuilt from ${listed} manifests by the first request: ${((performance.now() - r0) / 1000).toFixed(2)} s`);
  if (listed !== PACKAGES + 1) throw new Error(`the index lists ${listed} packages, not ${PACKAGES + 1}`);

  const page = await browser.context.newPage();
  page.on('pageerror', (e) => { throw e; });

  // --- the 3,478-version package page: interactive within 1 s ------------------------------------
  for (const [label, url] of [['package page', `${registry.url}/package/${BIG}`], ['with ?versions=all&graph=all', `${registry.url}/package/${BIG}?versions=all&graph=all`]] as const) {
  await page.goto(url); // warm: the packument cache holds the parsed manifest
  const nodes = await page.locator('svg.fw-graph .fw-node').count();
  const rows = await page.locator('#versions-table tbody tr').count();
  const bytes = (await (await fetch(url, { headers: { accept: 'text/html' } })).text()).length;
  const loads: Array<{ ready: number; dcl: number; load: number; server: number; ttfb: number }> = [];
  for (let i = 0; i < PAGE_LOADS; i++) {
    await page.goto('about:blank');
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.documentElement.hasAttribute('data-ready'));
    loads.push(await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const server = nav.serverTiming.find((t) => t.name === 'app')?.duration ?? Number.NaN;
      return { ready: Number(document.documentElement.getAttribute('data-ready')), dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, server, ttfb: nav.responseStart - nav.requestStart };
    }));
  }
  // interactive means it answers: the zoom button works right away
  const w = Number(await page.locator('svg.fw-graph').getAttribute('width'));
  await page.getByRole('button', { name: 'Zoom out' }).click();
  if (!(Number(await page.locator('svg.fw-graph').getAttribute('width')) < w)) throw new Error('zoom did not answer');
  const ready = stats(loads.map((l) => l.ready));
  console.log(`\n${label}, ${bigCount} versions (${(bytes / 1e6).toFixed(2)} MB of HTML, ${nodes} graph nodes, ${rows} table rows), ${PAGE_LOADS} loads:`);
  console.log(`  interactive (script ran)  median ${f(ready.median)}  max ${f(ready.max)}${label === 'package page' ? `   target < 1000 ms: ${ready.max < 1000 ? 'met' : 'MISSED'}` : ''}`);
  console.log(`  DOMContentLoaded          median ${f(stats(loads.map((l) => l.dcl)).median)}`);
  console.log(`  load event                median ${f(stats(loads.map((l) => l.load)).median)}`);
  console.log(`  server (Server-Timing)    median ${f(stats(loads.map((l) => l.server)).median)}   first byte median ${f(stats(loads.map((l) => l.ttfb)).median)}`);
  }

  // --- the list of 10,000 packages: first page and a search within 100 ms server time ----------
  for (const [label, path] of [['first page', '/'], ['search "cache auth"', '/?q=cache%20auth'], ['search "keywords:cache"', '/?q=keywords%3Acache'], ['page 100', '/?page=100']] as const) {
    const server: number[] = [];
    const ttfb: number[] = [];
    let count = '';
    for (let i = 0; i < LIST_LOADS; i++) {
      await page.goto(`${registry.url}${path}`);
      const t = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        return { server: nav.serverTiming.find((s) => s.name === 'app')?.duration ?? Number.NaN, ttfb: nav.responseStart - nav.requestStart, count: document.getElementById('result-count')?.textContent ?? '' };
      });
      server.push(t.server);
      ttfb.push(t.ttfb);
      count = t.count;
    }
    if (/^\s*0 packages/.test(count)) throw new Error(`${path} found nothing: ${count}`);
    const s = stats(server);
    const b = stats(ttfb);
    console.log(`list ${label.padEnd(24)} server median ${f(s.median)} p95 ${f(s.p95)}   first byte median ${f(b.median)} p95 ${f(b.p95)}   target < 100 ms: ${b.p95 < 100 ? 'met' : 'MISSED'}   (${count.trim()})`);
  }
  console.log('\n(a shared 2-core machine: figures are noisy; compare within one run)');
} finally {
  await browser.close();
  await registry.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
