import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { createTarGzip } from 'nanotar';
import semver from 'semver';

/** A version as the test upstream serves it. */
export interface UpstreamVersionOptions {
  /** When it was published upstream; default 30 days ago (mature for any release-age guard). */
  publishedAt?: Date;
  dependencies?: Record<string, string>;
  /** More package.json fields (bin, description, keywords...). */
  manifest?: Record<string, unknown>;
  /** Files in the tarball besides package.json; default an index.js exporting `"<name>@<version>"`. */
  files?: Record<string, string>;
  /** The dist-tag to point at it; default `latest`, `false` for none. */
  tag?: string | false;
}

/** An advisory as npm's bulk endpoint answers it. */
export interface UpstreamAdvisory {
  id: number;
  title: string;
  severity: 'info' | 'low' | 'moderate' | 'high' | 'critical';
  /** semver range of the affected versions, e.g. `<1.0.1`. */
  vulnerable_versions: string;
  url?: string;
  cwe?: string[];
}

/** One request the test upstream received. */
export interface UpstreamRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body as text (gunzipped when sent with content-encoding gzip); '' for none. */
  body: string;
}

/** A small npm registry of the test's own on 127.0.0.1 (see {@link startUpstream}). */
export interface TestUpstream {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  port: number;
  /** Adds a version (with a real tarball) and points its tag at it. */
  publish(name: string, version: string, options?: UpstreamVersionOptions): Promise<void>;
  /** Adds an advisory the audit routes report for `name`. */
  addAdvisory(name: string, advisory: UpstreamAdvisory): void;
  /** Every request received, in order (kept after stop). */
  readonly requests: UpstreamRequest[];
  /** The requests to the audit routes (bulk advisories and quick audit). */
  auditRequests(): UpstreamRequest[];
  /** Answers every search this many ms late (default 0), to test timeouts. */
  searchDelayMs: number;
  /** Answers every packument request this many ms late (default 0), to hold a fetch in flight. */
  packumentDelayMs: number;
  /** Stops listening and drops open connections; safe to call twice. */
  stop(): Promise<void>;
}

interface Stored {
  doc: { name: string; 'dist-tags': Record<string, string>; versions: Record<string, any>; time: Record<string, string>; modified?: string };
  tarballs: Map<string, Uint8Array>;
  etag: string;
}

const DAY = 86_400_000;
const tarballName = (name: string, version: string) => `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      resolve((req.headers['content-encoding'] === 'gzip' && raw.length ? gunzipSync(raw) : raw).toString('utf8'));
    });
  });
}

/**
 * Starts a small npm registry on a free 127.0.0.1 port, for tests that need an upstream: packuments
 * with `time` fields you choose (a version published "a minute ago" next to mature ones), real
 * tarballs, ETag / Last-Modified with 304 answers to conditional requests, `/-/v1/search`, and the
 * audit routes (`/-/npm/v1/security/advisories/bulk`, `/-/npm/v1/security/audits/quick`) answering
 * from advisories you add. It records every request, bodies included, so a test can check what left
 * the registry under test. Hand-written (not a registry process) so that time and advisories are the
 * test's to set.
 * @example
 * const up = await startUpstream();
 * await up.publish('left-pad', '1.3.0');
 * await up.publish('left-pad', '1.4.0', { publishedAt: new Date(Date.now() - 60_000) });
 * const registry = await startRegistry({ upstream: up.url });
 * // ... install through registry.url ...
 * await registry.stop(); await up.stop();
 */
export async function startUpstream(): Promise<TestUpstream> {
  const packages = new Map<string, Stored>();
  const advisories = new Map<string, UpstreamAdvisory[]>();
  const requests: UpstreamRequest[] = [];
  let url = '';

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers }, body });
    const path = new URL(req.url ?? '/', 'http://upstream').pathname;
    const query = new URL(req.url ?? '/', 'http://upstream').searchParams;
    if (path === '/-/ping') return json(res, 200, {});
    if (req.method === 'POST' && path === '/-/npm/v1/security/advisories/bulk') {
      const asked = JSON.parse(body || '{}') as Record<string, string[]>;
      const out: Record<string, unknown[]> = {};
      for (const [name, versions] of Object.entries(asked)) {
        const hits = (advisories.get(name) ?? []).filter((a) => versions.some((v) => semver.satisfies(v, a.vulnerable_versions)));
        if (hits.length) out[name] = hits.map((a) => ({ url: `https://advisories.test/${a.id}`, cwe: [], cvss: { score: 0, vectorString: null }, ...a }));
      }
      return json(res, 200, out);
    }
    if (req.method === 'POST' && path === '/-/npm/v1/security/audits/quick') {
      const tree = JSON.parse(body || '{}') as { dependencies?: Record<string, { version: string }> };
      const found: Record<string, unknown> = {};
      const walk = (deps: Record<string, { version: string; dependencies?: any }> = {}) => {
        for (const [name, dep] of Object.entries(deps)) {
          for (const a of advisories.get(name) ?? []) {
            if (semver.satisfies(dep.version, a.vulnerable_versions)) found[a.id] = { id: a.id, title: a.title, module_name: name, severity: a.severity, vulnerable_versions: a.vulnerable_versions, url: a.url ?? `https://advisories.test/${a.id}`, findings: [{ version: dep.version, paths: [name] }] };
          }
          walk(dep.dependencies);
        }
      };
      walk(tree.dependencies);
      const counts = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 } as Record<string, number>;
      for (const a of Object.values(found) as Array<{ severity: string }>) counts[a.severity]! += 1;
      return json(res, 200, { actions: [], advisories: found, muted: [], metadata: { vulnerabilities: counts, dependencies: Object.keys(tree.dependencies ?? {}).length, devDependencies: 0, optionalDependencies: 0, totalDependencies: Object.keys(tree.dependencies ?? {}).length } });
    }
    if (req.method === 'GET' && path === '/-/v1/search') {
      if (upstream.searchDelayMs > 0) await new Promise((r) => setTimeout(r, upstream.searchDelayMs));
      const text = (query.get('text') ?? '').toLowerCase();
      const size = Number(query.get('size') ?? 20);
      const from = Number(query.get('from') ?? 0);
      const hits = [...packages.values()].filter((p) => p.doc.name.includes(text) || JSON.stringify(p.doc.versions[p.doc['dist-tags'].latest ?? '']?.description ?? '').toLowerCase().includes(text));
      const objects = hits.slice(from, from + size).map((p) => {
        const latest = p.doc['dist-tags'].latest ?? Object.keys(p.doc.versions).pop()!;
        const m = p.doc.versions[latest];
        return { package: { name: p.doc.name, version: latest, description: m?.description ?? '', keywords: m?.keywords ?? [], date: p.doc.time[latest], links: {} }, score: { final: 0.5, detail: { quality: 0.5, popularity: 0.5, maintenance: 0.5 } }, searchScore: 0.5 };
      });
      return json(res, 200, { objects, total: hits.length, time: new Date().toUTCString() });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: `${req.method} not supported by the test upstream` });
    const segments = path.slice(1).split('/').map(decodeURIComponent);
    const scoped = segments[0]?.startsWith('@') && !segments[0].includes('/');
    const name = scoped ? `${segments[0]}/${segments[1]}` : segments[0]!;
    const rest = segments.slice(scoped ? 2 : 1);
    const pkg = packages.get(name);
    if (!pkg) return json(res, 404, { error: 'Not found' });
    if (rest.length === 2 && rest[0] === '-') {
      const tgz = pkg.tarballs.get(rest[1]!);
      if (!tgz) return json(res, 404, { error: 'Not found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(tgz.byteLength) });
      return res.end(req.method === 'HEAD' ? undefined : Buffer.from(tgz));
    }
    if (rest.length !== 0) return json(res, 404, { error: 'Not found' });
    if (upstream.packumentDelayMs > 0) await new Promise((r) => setTimeout(r, upstream.packumentDelayMs));
    const lastModified = new Date(pkg.doc.time.modified!).toUTCString();
    const headers = { etag: pkg.etag, 'last-modified': lastModified };
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    if ((inm && inm.split(',').map((t) => t.trim()).includes(pkg.etag)) || (!inm && ims && Date.parse(ims) >= Date.parse(lastModified))) {
      res.writeHead(304, headers);
      return res.end();
    }
    return json(res, 200, pkg.doc, headers);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => json(res, 500, { error: String((err as Error)?.message ?? err) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  url = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;

  const upstream: TestUpstream = {
    url,
    port,
    requests,
    searchDelayMs: 0,
    packumentDelayMs: 0,
    async publish(name, version, options = {}) {
      const publishedAt = options.publishedAt ?? new Date(Date.now() - 30 * DAY);
      const manifest = { name, version, description: `${name} from the test upstream`, main: 'index.js', ...(options.dependencies ? { dependencies: options.dependencies } : {}), ...options.manifest };
      const files = options.files ?? { 'index.js': `module.exports = ${JSON.stringify(`${name}@${version}`)};\n` };
      const tgz = await createTarGzip([
        { name: 'package/package.json', data: JSON.stringify(manifest, null, 2) },
        ...Object.entries(files).map(([file, data]) => ({ name: `package/${file}`, data })),
      ]);
      const file = tarballName(name, version);
      const stored: Stored = packages.get(name) ?? { doc: { name, 'dist-tags': {}, versions: {}, time: { created: publishedAt.toISOString() } }, tarballs: new Map(), etag: '' };
      stored.doc.versions[version] = {
        ...manifest,
        _id: `${name}@${version}`,
        dist: {
          tarball: `${url}/${name}/-/${file}`,
          integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
          shasum: createHash('sha1').update(tgz).digest('hex'),
        },
      };
      stored.tarballs.set(file, tgz);
      stored.doc.time[version] = publishedAt.toISOString();
      const times = Object.entries(stored.doc.time).filter(([k]) => k !== 'modified' && k !== 'created').map(([, t]) => Date.parse(t));
      stored.doc.time.modified = new Date(Math.max(...times)).toISOString();
      if (options.tag !== false) stored.doc['dist-tags'][options.tag ?? 'latest'] = version;
      stored.etag = `"${createHash('sha1').update(JSON.stringify(stored.doc)).digest('hex')}"`;
      packages.set(name, stored);
    },
    addAdvisory(name, advisory) {
      advisories.set(name, [...(advisories.get(name) ?? []), advisory]);
    },
    auditRequests: () => requests.filter((r) => r.url.startsWith('/-/npm/v1/security/')),
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
  return upstream;
}
