import { createHash } from 'node:crypto';
import { tarball } from './_helpers.ts';

export interface CraftedUpstream {
  url: string;
  /** Adds a version published at `publishedAt` (default 30 days ago; null: no time entry) and points `tag` (default latest) at it. */
  add(name: string, version: string, opts?: { publishedAt?: Date | null; tag?: string | false }): Promise<void>;
  requests: Array<{ method: string; path: string; headers: Record<string, string>; body: string }>;
  /** Answers to POST routes, by path. */
  answer: Map<string, (body: string) => Response>;
  /** Set to answer every request with this status. */
  failWith: number | null;
  stop(): void;
}

const DAY = 86_400_000;

/**
 * An upstream registry on 127.0.0.1 serving crafted packuments (publish times chosen by the test),
 * real tarballs, ETags with 304 answers, and recording every request. Stopped by the caller.
 */
export function craftedUpstream(): CraftedUpstream {
  const docs = new Map<string, { doc: any; tgz: Map<string, Uint8Array>; etag: string }>();
  const requests: CraftedUpstream['requests'] = [];
  const answer = new Map<string, (body: string) => Response>();
  const up: CraftedUpstream = {
    url: '',
    requests,
    answer,
    failWith: null,
    async add(name, version, opts = {}) {
      const tgz = await tarball(name, version);
      const file = `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
      const entry = docs.get(name) ?? { doc: { name, 'dist-tags': {}, versions: {}, time: { created: new Date(Date.now() - 60 * DAY).toISOString() } }, tgz: new Map(), etag: '' };
      entry.doc.versions[version] = {
        name, version, description: `${name} upstream`,
        dist: { tarball: `${up.url}/${name}/-/${file}`, integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`, shasum: createHash('sha1').update(tgz).digest('hex') },
      };
      if (opts.publishedAt !== null) entry.doc.time[version] = (opts.publishedAt ?? new Date(Date.now() - 30 * DAY)).toISOString();
      entry.doc.time.modified = new Date().toISOString();
      if (opts.tag !== false) entry.doc['dist-tags'][opts.tag ?? 'latest'] = version;
      entry.tgz.set(file, tgz);
      entry.etag = `"${createHash('sha1').update(JSON.stringify(entry.doc)).digest('hex')}"`;
      docs.set(name, entry);
    },
    stop: () => {},
  };
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const body = await req.text();
      requests.push({ method: req.method, path: decodeURIComponent(path) + new URL(req.url).search, headers: Object.fromEntries(req.headers), body });
      if (up.failWith) return Response.json({ error: 'failing on purpose' }, { status: up.failWith });
      const post = answer.get(path);
      if (post) return post(body);
      const parts = decodeURIComponent(path).slice(1).split('/');
      const scoped = parts[0]!.startsWith('@');
      const name = scoped ? `${parts[0]}/${parts[1]}` : parts[0]!;
      const rest = parts.slice(scoped ? 2 : 1);
      const entry = docs.get(name);
      if (!entry) return Response.json({ error: 'not found' }, { status: 404 });
      if (rest[0] === '-' && rest[1]) {
        const tgz = entry.tgz.get(rest[1]);
        return tgz ? new Response(tgz as BodyInit) : Response.json({ error: 'not found' }, { status: 404 });
      }
      if (req.headers.get('if-none-match') === entry.etag) return new Response(null, { status: 304, headers: { etag: entry.etag } });
      return Response.json(entry.doc, { headers: { etag: entry.etag } });
    },
  });
  up.url = `http://127.0.0.1:${server.port}`;
  up.stop = () => void server.stop(true);
  return up;
}
