// A front of our own before the local S3 server that records every request it forwards (method,
// key, status, start and end), so tests can count what the server received and in which order.
// `hold()` makes it keep the answers of object writes that already reached the server: a client
// killed then has objects stored whose arrival it never heard of.

export interface ProxiedRequest {
  method: string;
  key: string;
  query: string;
  status: number;
  /** The conditional-write headers sent. */
  ifNoneMatch: string | null;
  ifMatch: string | null;
  start: number;
  end: number;
}

export interface S3Proxy {
  endpoint: string;
  log: ProxiedRequest[];
  /** Object writes the server answered with 2xx. */
  stored(): ProxiedRequest[];
  hold(): void;
  release(): void;
  stop(): Promise<void>;
}

export function startS3Proxy(upstream: string, bucket: string): S3Proxy {
  const log: ProxiedRequest[] = [];
  let holding = false;
  const waiting: Array<() => void> = [];
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const start = performance.now();
      const path = url.pathname.startsWith(`/${bucket}/`) ? url.pathname.slice(bucket.length + 2) : '';
      const headers = new Headers(req.headers);
      headers.delete('host');
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(await req.arrayBuffer());
      const res = await fetch(`${upstream}${url.pathname}${url.search}`, { method: req.method, headers, body, redirect: 'manual' });
      const bytes = req.method === 'HEAD' ? null : new Uint8Array(await res.arrayBuffer());
      const entry = { method: req.method, key: decodeURIComponent(path), query: url.search, status: res.status, ifNoneMatch: req.headers.get('if-none-match'), ifMatch: req.headers.get('if-match'), start, end: performance.now() };
      log.push(entry);
      if (holding && req.method === 'PUT' && path) await new Promise<void>((r) => waiting.push(r));
      const out = new Headers(res.headers);
      out.delete('content-encoding');
      out.delete('transfer-encoding');
      return new Response(bytes, { status: res.status, headers: out });
    },
  });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    log,
    stored: () => log.filter((e) => e.method === 'PUT' && e.key && e.status >= 200 && e.status < 300),
    hold: () => { holding = true; },
    release: () => { holding = false; waiting.splice(0).forEach((r) => r()); },
    async stop() {
      this.release();
      await server.stop(true);
    },
  };
}
