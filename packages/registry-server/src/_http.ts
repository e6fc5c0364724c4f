import { RegistryError } from './errors.ts';

const JSON_TYPE = 'application/json';

/** A JSON response. */
export function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': JSON_TYPE, ...headers } });
}

/**
 * Reads a web stream whole, failing with TOO_LARGE as soon as more than `limit` bytes arrived. With
 * `expected` (a Content-Length), bytes go straight into one buffer of that size as they arrive, so a
 * body is held once rather than as chunks plus their copy (an isolate on Workers has 128 MB).
 */
export async function collect(stream: ReadableStream<Uint8Array>, limit: number, what = 'body', expected?: number): Promise<Uint8Array> {
  let chunks: Uint8Array[] = [];
  let out = expected !== undefined && expected > 0 && expected <= limit ? new Uint8Array(expected) : undefined;
  let size = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      let step: Awaited<ReturnType<typeof reader.read>>;
      try {
        step = await reader.read();
      } catch (err) {
        // The runtime errors the body when the client disconnects mid-body or breaks the chunk framing.
        throw new RegistryError('CLIENT_ABORTED', `the client aborted the ${what} (connection closed or malformed chunked encoding)`, { cause: err });
      }
      const { done, value } = step;
      if (done) break;
      if (size + value.byteLength > limit) {
        await reader.cancel().catch(() => {});
        throw new RegistryError('TOO_LARGE', `${what} exceeds the limit of ${limit} bytes`);
      }
      if (out && size + value.byteLength <= out.byteLength) out.set(value, size);
      else {
        if (out) chunks = [out.subarray(0, size)]; // more than announced: carry on in chunks
        out = undefined;
        chunks.push(value);
      }
      size += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  if (out) return size === out.byteLength ? out : out.subarray(0, size);
  if (chunks.length === 1) return chunks[0]!;
  const joined = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { joined.set(c, at); at += c.byteLength; }
  return joined;
}

/** The request body, with the size limit checked on Content-Length first and then while reading. */
export async function readBody(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new RegistryError('TOO_LARGE', `request body of ${declared} bytes exceeds the limit of ${limit} bytes`);
  }
  if (!req.body) return new Uint8Array(0);
  return collect(req.body, limit, 'request body', Number.isInteger(declared) ? declared : undefined);
}

/** The request body parsed as JSON; INVALID_JSON when it does not parse. The bytes are dropped before parsing ends. */
export async function readJson(req: Request, limit: number): Promise<unknown> {
  let body: Uint8Array | undefined = await readBody(req, limit);
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    body = undefined; // the text and the parsed value need not live beside the bytes as well
    return JSON.parse(text);
  } catch (err) {
    throw new RegistryError('INVALID_JSON', 'request body is not valid JSON', { cause: err });
  }
}

/** gzip through the web CompressionStream. */
export async function gzip(body: Blob): Promise<Blob> {
  // bytes, not Response.blob(): on Workers that Blob can stay tied to the request that made it, and a
  // cached copy served to another request fails ("Cannot perform I/O on behalf of a different request")
  return new Blob([await new Response(body.stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer()]);
}

/** True when an If-None-Match header lists `etag` (weak comparison, `*` matches). */
export function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header === etag) return true; // what clients send back
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v.replace(/^W\//, '') === bare;
  });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
