import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleWorker, startWorkers, type RunningWorkers } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'fw-workerd-'));
let running: RunningWorkers | undefined;
afterAll(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('startWorkers', () => {
  it('runs bundled Workers in workerd on their own 127.0.0.1 sockets, over one shared R2 bucket', async () => {
    const entry = join(dir, 'worker.ts');
    writeFileSync(entry, `export default {
  async fetch(req: Request, env: { BUCKET: any; NAME: string }) {
    const key = new URL(req.url).pathname.slice(1);
    if (req.method === 'PUT') { await env.BUCKET.put(key, await req.text()); return new Response('stored by ' + env.NAME); }
    const obj = await env.BUCKET.get(key);
    return new Response(obj ? env.NAME + ' read ' + (await obj.text()) : 'missing', { status: obj ? 200 : 404 });
  },
};
`);
    const script = await bundleWorker(entry);
    expect(script).toContain('stored by');
    running = await startWorkers([
      { name: 'a', script, bindings: { NAME: 'a' }, r2Buckets: { BUCKET: 'shared' } },
      { name: 'b', script, bindings: { NAME: 'b' }, r2Buckets: { BUCKET: 'shared' } },
    ]);
    expect(Object.keys(running.urls)).toEqual(['a', 'b']);
    for (const url of Object.values(running.urls)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${running.urls.a}/k`, { method: 'PUT', body: 'hello' })).text()).toBe('stored by a');
    const read = await fetch(`${running.urls.b}/k`);
    expect(await read.text()).toBe('b read hello');
    expect((await fetch(`${running.urls.b}/nothing`)).status).toBe(404);
  });
});
