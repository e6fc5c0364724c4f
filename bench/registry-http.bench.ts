// HTTP load on a real registry process: packument GET (full and abbreviated) and tarball GET on a
// 300-version package at 50 connections, against the ceiling of a bare Bun.serve answering the same
// bytes from memory; then a cold `bun install` of 50 packages. All traffic stays on 127.0.0.1.
import autocannon from 'autocannon';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser, createWorkspace, publish, run, startRegistry } from '../tooling/e2e/src/index.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
const PKG = 'fw-bench-big';

async function load(url: string, headers: Record<string, string> = {}) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99, mbps: result.throughput.average / 1e6 };
}

function line(label: string, r: { rps: number; p99: number; mbps: number }, ceiling?: number) {
  const ratio = ceiling ? `  ${((r.rps / ceiling) * 100).toFixed(0)}% of ceiling` : '';
  console.log(`${label.padEnd(34)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${String(r.p99).padStart(4)} ms  ${r.mbps.toFixed(1)} MB/s${ratio}`);
}

const registry = await startRegistry();
try {
  const token = await addUser(registry.url, 'bench', 'bench-password-123');
  for (let i = 0; i < 300; i++) {
    const res = await publish(registry.url, token, PKG, `1.${Math.floor(i / 10)}.${i % 10}`);
    if (!res.ok) throw new Error(`publish failed: ${res.status} ${await res.text()}`);
  }
  const abbreviated = { accept: 'application/vnd.npm.install-v1+json' };
  const fullBody = new Uint8Array(await (await fetch(`${registry.url}/${PKG}`)).arrayBuffer());
  const abbrBody = new Uint8Array(await (await fetch(`${registry.url}/${PKG}`, { headers: abbreviated })).arrayBuffer());
  const tarballUrl = `${registry.url}/${PKG}/-/${PKG}-1.0.0.tgz`;
  const tarBody = new Uint8Array(await (await fetch(tarballUrl)).arrayBuffer());
  console.log(`packument ${fullBody.length} B full, ${abbrBody.length} B abbreviated; tarball ${tarBody.length} B; ${DURATION} s per case, ${CONNECTIONS} connections`);

  // The ceiling: Bun.serve handing back the same bytes from memory, in its own process.
  const ceilingDir = mkdtempSync(join(tmpdir(), 'fw-bench-ceiling-'));
  writeFileSync(join(ceilingDir, 'full.json'), fullBody);
  writeFileSync(join(ceilingDir, 'abbr.json'), abbrBody);
  writeFileSync(join(ceilingDir, 'ceiling.ts'), `
    const full = await Bun.file(${JSON.stringify(join(ceilingDir, 'full.json'))}).bytes();
    const abbr = await Bun.file(${JSON.stringify(join(ceilingDir, 'abbr.json'))}).bytes();
    const s = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch(req) {
      const body = req.headers.get('accept')?.includes('install-v1') ? abbr : full;
      return new Response(body, { headers: { 'content-type': 'application/json' } });
    } });
    console.log(s.port);`);
  const ceilingProc = Bun.spawn(['bun', join(ceilingDir, 'ceiling.ts')], { stdout: 'pipe' });
  const reader = ceilingProc.stdout.getReader();
  const port = Number(new TextDecoder().decode((await reader.read()).value).trim());
  try {
    const ceilFull = await load(`http://127.0.0.1:${port}/x`);
    const ceilAbbr = await load(`http://127.0.0.1:${port}/x`, abbreviated);
    line('ceiling: Bun.serve, full bytes', ceilFull);
    line('ceiling: Bun.serve, abbreviated', ceilAbbr);
    line('packument GET full', await load(`${registry.url}/${PKG}`), ceilFull.rps);
    line('packument GET abbreviated', await load(`${registry.url}/${PKG}`, abbreviated), ceilAbbr.rps);
    line('tarball GET', await load(tarballUrl));
  } finally {
    ceilingProc.kill();
    rmSync(ceilingDir, { recursive: true, force: true });
  }

  // A cold `bun install` of 50 packages (empty cache, fresh project).
  const deps: Record<string, string> = {};
  for (let i = 0; i < 50; i++) {
    const name = `fw-bench-dep-${i}`;
    const res = await publish(registry.url, token, name, '1.0.0');
    if (!res.ok) throw new Error(`publish ${name}: ${res.status}`);
    deps[name] = '^1.0.0';
  }
  const ws = createWorkspace(registry.url);
  try {
    const project = ws.dir('project');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bench-project', private: true, dependencies: deps }));
    const started = performance.now();
    const result = await run('bun', ['install', '--registry', ws.registry], { cwd: project, env: ws.env });
    if (result.code !== 0) throw new Error(`bun install failed: ${result.stderr}`);
    console.log(`cold bun install, 50 packages       ${(performance.now() - started).toFixed(0)} ms`);
  } finally {
    ws.remove();
  }
} finally {
  await registry.stop();
}
