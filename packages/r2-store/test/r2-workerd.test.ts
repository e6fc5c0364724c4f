// The shared contract suite, run inside workerd over the r2 driver and miniflare's R2 simulator (which
// enforces onlyIf). The suite and the driver are bundled into a test worker (test/workerd/); each
// test here runs one contract case in the Worker and fails with the Worker's assertion message.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleWorker, rssOf, startWorkers } from '@factorywager/workerd-test';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const script = await bundleWorker(here('./workerd/contract-worker.ts'), { alias: { vitest: here('./workerd/vitest-shim.ts') } });
let pid: number | undefined;
// buckets on disk: in memory, the simulator's copy of the 64 MiB object would count as the driver's RSS
const persistDir = mkdtempSync(join(tmpdir(), 'fw-r2-contract-'));
const workers = await startWorkers([{
  name: 'contract',
  script,
  r2Buckets: { BUCKET: 'contract' },
  serviceBindings: { HOST: async () => new Response(String(pid ? rssOf(pid) : Number.NaN)) },
}], { persistDir, v8Flags: ['--expose-gc'] });
pid = workers.pid;
const base = workers.urls.contract!;
const cases = (await (await fetch(`${base}/list`)).json()) as Array<{ suite: string; test: string }>;

afterAll(async () => {
  try {
    await fetch(`${base}/finish`);
  } finally {
    await workers.stop();
    rmSync(persistDir, { recursive: true, force: true });
  }
});

for (const suite of [...new Set(cases.map((c) => c.suite))]) {
  describe.sequential(suite, () => {
    for (const c of cases.filter((x) => x.suite === suite)) {
      it(c.test, async () => {
        const url = `${base}/run?suite=${encodeURIComponent(c.suite)}&test=${encodeURIComponent(c.test)}`;
        const result = (await (await fetch(url)).json()) as { ok: boolean; error?: { message: string; stack: string } };
        if (!result.ok) {
          const err = new Error(`inside workerd: ${result.error?.message}`);
          err.stack = `${err.message}\n${result.error?.stack ?? ''}`;
          throw err;
        }
      });
    }
  });
}

describe('r2 driver inside workerd: memory of a stream of unknown length', () => {
  it('uploads 64 MiB in 5 MiB parts, never reading more than one part ahead of what R2 took', async () => {
    const r = (await (await fetch(`${base}/lead`)).json()) as { parts: number; maxAheadMiB: number; size: number };
    expect(r.size).toBe(64 * 1024 * 1024);
    expect(r.parts).toBe(13);
    expect(r.maxAheadMiB).toBeLessThanOrEqual(5 + 1); // one part, plus the chunk that overflowed it
  });
});
