import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** A fetch-style handler: a Response or a promise of one. */
export type ServeFetch = (req: Request) => Response | Promise<Response>;

export interface Listening {
  port: number;
  /** The peer address the runtime saw for a request in flight (asked only when needed: on Bun a lookup per call). */
  addressOf(req: Request): string | null;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then closes what remains. */
  stop(graceMs?: number): Promise<void>;
}

interface ServeOptions {
  /** Force an adapter; default Bun.serve when on Bun. */
  runtime?: 'bun' | 'node';
  host: string;
  port: number;
  /**
   * The runtime's own cap on a request body. The handler refuses bodies over its limit itself, with a
   * JSON 413 (on Content-Length at once); this cap only stops code that would read without a bound, and
   * what exceeds it gets the runtime's bare 413.
   */
  maxBodySize: number;
  fetch: ServeFetch;
}

declare const Bun: {
  serve(options: Record<string, unknown>): { port: number; stop(force?: boolean): Promise<void>; requestIP(req: Request): { address: string } | null };
} | undefined;

/** Bun.serve when running on Bun, else node:http through a small Request/Response adapter. */
export function serve(options: ServeOptions): Promise<Listening> {
  const runtime = options.runtime ?? (typeof Bun !== 'undefined' ? 'bun' : 'node');
  return runtime === 'bun' ? serveBun(options) : serveNode(options);
}

async function serveBun({ host, port, maxBodySize, fetch }: ServeOptions): Promise<Listening> {
  const server = Bun!.serve({
    hostname: host,
    port,
    maxRequestBodySize: maxBodySize,
    fetch,
  });
  return {
    port: server.port,
    addressOf: (req) => server.requestIP(req)?.address ?? null,
    async stop(graceMs = 5000) {
      const timer = setTimeout(() => void server.stop(true), graceMs);
      await server.stop(false);
      clearTimeout(timer);
    },
  };
}

// Hand-written rather than @hono/node-server: about forty lines, one dependency fewer, and the same
// peer-address hook as the Bun path.
function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', origin), {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>) : undefined,
    // Node's fetch needs this for a streamed request body.
    ...(hasBody ? { duplex: 'half' } : {}),
  } as RequestInit);
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key !== 'set-cookie') headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  res.writeHead(response.status, response.statusText, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  // A client that goes away never drains: stop there and close the body (a file stream holds a descriptor).
  let gone = false;
  const closed = new Promise<void>((r) => res.once('close', () => { gone = true; r(); }));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await Promise.race([new Promise<void>((r) => res.once('drain', r)), closed]);
      if (gone) {
        await reader.cancel();
        return;
      }
    }
    res.end();
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    res.destroy(err as Error);
  }
}

/** The JSON answers node:http lets us give to requests its parser refuses (Bun answers those bare). */
const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'request headers too large'],
  HPE_INVALID_METHOD: [501, 'unknown request method'],
  HPE_INVALID_CHUNK_SIZE: [400, 'malformed chunked encoding'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request timed out'],
};

function answerClientError(err: NodeJS.ErrnoException, socket: import('node:stream').Duplex): void {
  if (!socket.writable || (err.code === 'ECONNRESET')) {
    socket.destroy();
    return;
  }
  const [status, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'malformed request'];
  const body = JSON.stringify({ error: message });
  socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 501 ? 'Not Implemented' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n`
    + `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

async function serveNode({ host, port, fetch }: ServeOptions): Promise<Listening> {
  const addresses = new WeakMap<Request, string>();
  const server = createServer((req, res) => {
    let request: Request;
    try {
      request = toRequest(req, `http://${req.headers.host ?? `${host}:${port}`}`);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"malformed request URL or Host header"}');
      return;
    }
    Promise.resolve()
      .then(() => {
        if (req.socket.remoteAddress) addresses.set(request, req.socket.remoteAddress);
        return fetch(request);
      })
      .then((response) => send(res, response))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"internal error"}');
      });
  });
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    addressOf: (req) => addresses.get(req) ?? null,
    stop: (graceMs = 5000) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    }),
  };
}
