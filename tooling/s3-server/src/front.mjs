// The local S3-protocol server for tests: fauxqs's app (which overwrites on If-None-Match and
// If-Match) behind a small front of ours that enforces those conditions as S3 and R2 do.
// Plain JavaScript so that it runs as-is on Node 20 and on Bun.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { buildApp } from 'fauxqs';

const MAX_BODY = 1024 * 1024 * 1024; // fauxqs caps bodies at 11 MiB; tests PUT 64 MiB+ objects whole

/** Serialises async work per key: each caller runs after the previous one for that key settles. */
function keyedMutex() {
  const tails = new Map();
  return async (key, fn) => {
    const previous = tails.get(key) ?? Promise.resolve();
    let release;
    const mine = new Promise((resolve) => { release = resolve; });
    const tail = previous.then(() => mine);
    tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

/** Splits a path-style URL into bucket and key (the key still percent-encoded, as fauxqs routes it). */
function target(url) {
  const path = url.split('?')[0] ?? '/';
  const slash = path.indexOf('/', 1);
  if (slash < 0) return { bucket: path.slice(1), key: '' };
  return { bucket: path.slice(1, slash), key: path.slice(slash + 1) };
}

/** True for requests that replace or remove an object: PutObject, CopyObject, CompleteMultipartUpload, DeleteObject. */
function isObjectWrite(method, url, key) {
  if (!key) return false;
  const query = new URLSearchParams(url.split('?')[1] ?? '');
  if (method === 'PUT') return !query.has('partNumber');
  if (method === 'POST') return query.has('uploadId');
  return method === 'DELETE' && !query.has('uploadId');
}

function preconditionFailed(res, condition, resource) {
  const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>'
    + '<Message>At least one of the pre-conditions you specified did not hold</Message>'
    + `<Condition>${condition}</Condition><Resource>${resource.replace(/[<>&]/g, '')}</Resource>`
    + `<RequestId>${randomUUID()}</RequestId></Error>`;
  res.writeHead(412, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Matches an If-Match / If-None-Match header value (a list of etags or `*`) against an etag. */
function matches(header, etag) {
  if (etag === undefined) return false;
  return header.split(',').map((s) => s.trim()).some((v) => v === '*' || v.replace(/^W\//, '') === etag);
}

/**
 * Builds the server (not yet listening). Every object write takes a per-key lock for its whole
 * duration; a conditional one first HEADs the object inside fauxqs and answers 412 when the
 * condition fails, so check-and-set is atomic.
 * @returns {Promise<{ server: import('node:http').Server, app: any }>}
 */
export async function createS3Front() {
  const app = buildApp({ logger: false });
  app.removeContentTypeParser('*');
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY }, (_req, body, done) => done(null, body));
  await app.ready();
  const withKey = keyedMutex();

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    const { bucket, key } = target(url);
    if (!isObjectWrite(method, url, key)) return app.routing(req, res);
    const ifMatch = req.headers['if-match'];
    const ifNoneMatch = req.headers['if-none-match'];
    withKey(`${bucket}/${key}`, async () => {
      if (ifMatch !== undefined || ifNoneMatch !== undefined) {
        const head = await app.inject({ method: 'HEAD', url: `/${bucket}/${key}` });
        const etag = head.statusCode === 200 ? String(head.headers.etag) : undefined;
        const failed = (ifNoneMatch !== undefined && matches(String(ifNoneMatch), etag) && 'If-None-Match')
          || (ifMatch !== undefined && !matches(String(ifMatch), etag) && 'If-Match');
        if (failed) {
          req.resume(); // drain the body the client is sending
          preconditionFailed(res, failed, `/${bucket}/${key}`);
          return;
        }
      }
      await new Promise((resolve) => {
        res.once('close', resolve);
        app.routing(req, res);
      });
    }).catch((err) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  server.on('close', () => { void app.close(); });
  return { server, app };
}

/**
 * Starts the server on 127.0.0.1 and an ephemeral port.
 * @param {number} [port]
 * @returns {Promise<{ endpoint: string, close(): Promise<void> }>}
 */
export async function listenS3Front(port = 0) {
  const { server } = await createS3Front();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
