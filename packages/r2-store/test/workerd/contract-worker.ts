// The test worker: the shared contract suite over the r2 driver and the R2 binding, inside workerd.
// Bundled by r2-workerd.test.ts with 'vitest' resolved to ./vitest-shim.ts.
import { r2Driver, type R2BucketLike } from '../../src/index.ts';
import { testDriver } from '../contract.ts';
import { finish, listTests, runTest } from './vitest-shim.ts';

interface Env {
  BUCKET: R2BucketLike;
  /** The host's service: GET /rss answers the workerd process's resident memory in bytes. */
  HOST: { fetch(input: string): Promise<Response> };
}

let env: Env | undefined;

// The workerd process also runs miniflare's R2 simulator, which holds the object's bytes: its RSS is
// logged, not bounded; `/lead` below checks instead that the driver reads at most one part ahead.
testDriver('r2 (R2 binding inside workerd)', async () => ({ driver: r2Driver(env!.BUCKET) }), {
  boundedMemory: false,
  memory: {
    rss: async () => Number(await (await env!.HOST.fetch('http://host/rss')).text()),
    // workerd runs with --expose-gc here, so RSS shows live memory rather than garbage not yet collected
    gc: () => (globalThis as { gc?: () => void }).gc?.(),
    sampleMs: 50,
  },
});

const MiB = 1024 * 1024;

/**
 * Puts `total` bytes of unknown length through the driver with the binding instrumented: at every
 * part handed to R2, how far the driver has read the stream beyond what R2 already took. A driver
 * that buffered the body would read it all before the first part.
 */
async function readAhead(bucket: R2BucketLike, total: number): Promise<{ parts: number; maxAheadMiB: number; size: number }> {
  let pulled = 0;
  let handed = 0;
  let maxAhead = 0;
  let parts = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled >= total) return c.close();
      const chunk = new Uint8Array(Math.min(MiB, total - pulled)).fill(pulled / MiB);
      pulled += chunk.byteLength;
      c.enqueue(chunk);
    },
  });
  const spied: R2BucketLike = {
    ...bucket,
    head: (k) => bucket.head(k),
    get: (k) => bucket.get(k),
    put: (k, v, o) => bucket.put(k, v, o),
    delete: (k) => bucket.delete(k),
    list: (o) => bucket.list(o),
    async createMultipartUpload(k, o) {
      const upload = await bucket.createMultipartUpload(k, o);
      return {
        uploadPart: (n, v) => {
          parts++;
          handed += v.byteLength;
          maxAhead = Math.max(maxAhead, pulled - handed);
          return upload.uploadPart(n, v);
        },
        complete: (p) => upload.complete(p),
        abort: () => upload.abort(),
      };
    },
  };
  await r2Driver(spied).put('lead/blob.bin', body);
  const size = (await bucket.head('lead/blob.bin'))?.size ?? -1;
  await bucket.delete('lead/blob.bin');
  return { parts, maxAheadMiB: maxAhead / MiB, size };
}

export default {
  async fetch(req: Request, e: Env): Promise<Response> {
    env = e;
    const url = new URL(req.url);
    if (url.pathname === '/list') return Response.json(listTests());
    if (url.pathname === '/run') return Response.json(await runTest(url.searchParams.get('suite') ?? '', url.searchParams.get('test') ?? ''));
    if (url.pathname === '/lead') return Response.json(await readAhead(e.BUCKET, 64 * MiB));
    if (url.pathname === '/finish') return Response.json(await finish());
    return new Response('not found', { status: 404 });
  },
};
