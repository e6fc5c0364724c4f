import { RegistryError } from './errors.ts';

const JSON_TYPE = 'application/json';

/** A JSON response. */
export function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': JSON_TYPE, ...headers } });
}

/** Reads a web stream whole, failing with TOO_LARGE as soon as more than `limit` bytes arrived. */
export async function collect(stream: ReadableStream<Uint8Array>, limit: number, what = 'body'): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
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
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw new RegistryError('TOO_LARGE', `${what} exceeds the limit of ${limit} bytes`);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.byteLength; }
  return out;
}

/** The request body, with the size limit checked on Content-Length first and then while reading. */
export async function readBody(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new RegistryError('TOO_LARGE', `request body of ${declared} bytes exceeds the limit of ${limit} bytes`);
  }
  if (!req.body) return new Uint8Array(0);
  return collect(req.body, limit, 'request body');
}

/** The request body parsed as JSON; INVALID_JSON when it does not parse. */
export async function readJson(req: Request, limit: number): Promise<unknown> {
  const bytes = await readBody(req, limit);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new RegistryError('INVALID_JSON', 'request body is not valid JSON', { cause: err });
  }
}

/** gzip through the web CompressionStream. */
export async function gzip(body: Blob): Promise<Blob> {
  return new Response(body.stream().pipeThrough(new CompressionStream('gzip'))).blob();
}

/** True when an If-None-Match header lists `etag` (weak comparison, `*` matches). */
export function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v.replace(/^W\//, '') === bare;
  });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
