// A small registry on 127.0.0.1 for the runner's unit tests: it serves whatever packuments and
// tarballs a test gives it (including ones a real registry would refuse at publish: bytes that do not
// match their integrity, hostile archives), answers conditional GETs and records every request.
// The runner against the real registry process is tooling/e2e/test/bunx.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha512 } from './_tar.ts';

export interface Recorded {
  method: string;
  path: string;
  ifNoneMatch: string | null;
  authorization: string | null;
  status: number;
}

export interface VersionSpec {
  tarball: Uint8Array;
  /** Integrity to advertise; default: the tarball's own. */
  integrity?: string;
  deprecated?: string;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
}

export interface TestRegistry {
  url: string;
  requests: Recorded[];
  /** Adds or replaces a version (and moves `latest` to it unless `tag` says otherwise). */
  publish(name: string, version: string, spec: VersionSpec, tag?: string | null): void;
  tag(name: string, tag: string, version: string): void;
  /** Answers 503 to everything while true. */
  down: boolean;
  /** Requires this bearer token when set. */
  token: string | null;
  /** While true, tarball requests are recorded and then left unanswered. */
  stallTarballs: boolean;
  /** Resolves at the first request (already made or coming) that `match` accepts. */
  waitFor(match: (r: Recorded) => boolean): Promise<Recorded>;
  stop(): Promise<void>;
}

export function startTestRegistry(): TestRegistry {
  const docs = new Map<string, { 'dist-tags': Record<string, string>; versions: Record<string, unknown>; rev: number }>();
  const files = new Map<string, Uint8Array>();
  const requests: Recorded[] = [];
  let url = '';
  const state = { down: false, token: null as string | null, stall: false };
  const waiters: Array<{ match: (r: Recorded) => boolean; resolve: (r: Recorded) => void }> = [];
  const stalled: Array<() => void> = [];
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req) {
      const u = new URL(req.url);
      const record = (status: number) => {
        const r = { method: req.method, path: decodeURIComponent(u.pathname), ifNoneMatch: req.headers.get('if-none-match'), authorization: req.headers.get('authorization'), status };
        requests.push(r);
        for (const w of waiters.splice(0)) {
          if (w.match(r)) w.resolve(r);
          else waiters.push(w);
        }
        return status;
      };
      if (state.down) return new Response('{"error":"down"}', { status: record(503) });
      if (state.token && req.headers.get('authorization') !== `Bearer ${state.token}`) return Response.json({ error: 'unauthorized' }, { status: record(401) });
      const path = decodeURIComponent(u.pathname).slice(1);
      const file = files.get(path);
      if (file && state.stall) {
        record(0);
        return new Promise<Response>((resolve) => stalled.push(() => resolve(new Response(null, { status: 503 }))));
      }
      if (file) return new Response(file as Uint8Array<ArrayBuffer>, { status: record(200) });
      const doc = docs.get(path);
      if (!doc) return Response.json({ error: 'not found' }, { status: record(404) });
      const etag = `"${path.replace(/[^a-z0-9]/gi, '')}-${doc.rev}"`;
      if (req.headers.get('if-none-match') === etag) return new Response(null, { status: record(304), headers: { etag } });
      record(200);
      return Response.json({ name: path, 'dist-tags': doc['dist-tags'], versions: doc.versions }, { headers: { etag } });
    },
  });
  url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    requests,
    get down() { return state.down; },
    set down(v) { state.down = v; },
    get token() { return state.token; },
    set token(v) { state.token = v; },
    get stallTarballs() { return state.stall; },
    set stallTarballs(v) {
      state.stall = v;
      if (!v) for (const release of stalled.splice(0)) release();
    },
    waitFor(match) {
      const done = requests.find(match);
      return done ? Promise.resolve(done) : new Promise((resolve) => waiters.push({ match, resolve }));
    },
    publish(name, version, spec, tag = 'latest') {
      const doc = docs.get(name) ?? { 'dist-tags': {}, versions: {}, rev: 0 };
      const file = `${name}/-/${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
      files.set(file, spec.tarball);
      doc.versions[version] = {
        name, version,
        ...(spec.bin ? { bin: spec.bin } : { bin: { [name.replace(/^@[^/]+\//, '')]: 'bin.js' } }),
        ...(spec.dependencies ? { dependencies: spec.dependencies } : {}),
        ...(spec.deprecated ? { deprecated: spec.deprecated } : {}),
        dist: { tarball: `${url}/${file}`, integrity: spec.integrity ?? sha512(spec.tarball) },
      };
      if (tag) doc['dist-tags'][tag] = version;
      doc.rev++;
      docs.set(name, doc);
    },
    tag(name, tag, version) {
      const doc = docs.get(name)!;
      doc['dist-tags'][tag] = version;
      doc.rev++;
    },
    async stop() {
      for (const release of stalled.splice(0)) release();
      await server.stop(true);
    },
  };
}

/** A temp folder removed by the returned function. */
export function tempDir(prefix = 'fw-bunx-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
