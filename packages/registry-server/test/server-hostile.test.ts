// What only a real socket shows: aborted bodies, broken framing, runtime limits, pipelining.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsDriver, memoryDriver, wrapStore, type Store } from '@factorywager/r2-store';
import { baseConfig } from '../src/config/defaults.ts';
import { NPMRegistryServer } from '../src/server.ts';
import type { RequestLogEntry } from '../src/handler.ts';

const servers: NPMRegistryServer[] = [];
const temps: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop(100)));
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A store on disk: its reads are real I/O, which is what Bun's pipelining bug needs. */
/** An fs store whose calls all go through the thread pool, so that a handler over it awaits I/O. */
function fsStore(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'fw-server-hostile-'));
  temps.push(dir);
  return wrapStore(fsDriver({ root: dir, inlineCalls: false }));
}

async function start(runtime: 'bun' | 'node', maxBodySize = 64 * 1024, store: Store = wrapStore(memoryDriver())) {
  const base = baseConfig();
  const config = {
    ...base, uplinks: {}, packages: [{ pattern: '**', access: ['$all'], publish: ['$all'], unpublish: ['$all'] }],
    limits: { ...base.limits, maxBodySize }, listen: { host: '127.0.0.1', port: 0 }, publicUrl: 'http://127.0.0.1:0',
  };
  const logs: RequestLogEntry[] = [];
  const server = await new NPMRegistryServer(config, { store, runtime, log: (e) => logs.push(e) }).start();
  servers.push(server);
  return { server, logs };
}

/**
 * Writes `raw` on a fresh connection and collects what comes back until the server closes it,
 * `quietMs` pass without data, or (with `abort`) right after writing.
 */
function raw(port: number, text: string, { abort = false, quietMs = 400 } = {}): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    let timer: ReturnType<typeof setTimeout>;
    const done = () => { clearTimeout(timer); socket.destroy(); resolve(out); };
    const arm = () => { clearTimeout(timer); timer = setTimeout(done, quietMs); };
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text);
      if (abort) setTimeout(done, 50);
      else arm();
    });
    socket.on('data', (d) => { out += d; arm(); });
    socket.on('error', () => {});
    socket.on('close', done);
  });
}

/** Resolves once `logs` has `n` entries (the log is written after the handler is done). */
async function logged(logs: RequestLogEntry[], n: number): Promise<void> {
  for (let i = 0; i < 200 && logs.length < n; i++) await new Promise((r) => setTimeout(r, 10));
}

describe.each(['bun', 'node'] as const)('hostile connections on the %s adapter', (runtime) => {
  it('logs a body the client cut off, or whose chunk framing is broken, as a client abort (400), never a 5xx', async () => {
    const { server, logs } = await start(runtime);
    const port = server.port!;
    await raw(port, 'PUT /pkg HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000\r\n\r\n{"name":"pkg"', { abort: true });
    await raw(port, 'PUT /-/user/org.couchdb.user:bob HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"name":', { abort: true });
    const framing = await raw(port, 'PUT /-/user/org.couchdb.user:bob HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"nam\r\nzz\r\nxx\r\n');
    expect(framing).toMatch(/^HTTP\/1\.1 400/);
    if (runtime === 'node') expect(framing).toContain('{"error":"malformed chunked encoding"}');
    await logged(logs, 3);
    expect(logs.filter((l) => l.status >= 500)).toEqual([]);
    expect(logs.length).toBeGreaterThanOrEqual(2);
    for (const l of logs) expect(l).toMatchObject({ status: 400, error: expect.stringMatching(/client aborted/) });
    expect((await fetch(`${server.url}/-/ping`)).status).toBe(200);
  });

  it('answers a declared body over the limit with a JSON 413 (also with Expect: 100-continue), not the runtime\'s bare one', async () => {
    // the runtime's own cap is 4 x limits.maxBodySize + 1 MiB: beyond that Bun answers a bare 413
    const { server } = await start(runtime);
    for (const expect100 of [false, true]) {
      const res = await raw(server.port!, `PUT /pkg HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${4 * 64 * 1024}\r\n${expect100 ? 'Expect: 100-continue\r\n' : ''}\r\n`);
      const final = res.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
      expect(final).toMatch(/^HTTP\/1\.1 413/);
      expect(final).toMatch(/content-type: application\/json/i);
      expect(final).toContain('exceeds the limit');
    }
  });

  it(runtime === 'node' ? 'answers pipelined requests in order' : 'pipelined requests: Bun 1.4.x drops the answers whose handler awaits I/O (a known Bun bug; this fails once Bun fixes it)', async () => {
    const { server } = await start(runtime, 64 * 1024, fsStore());
    const three = ['/-/ping', '/no-such-package', '/-/ping'].map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`).join('');
    const out = await raw(server.port!, three, { quietMs: 1000 });
    const statuses = [...out.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    if (runtime === 'node') {
      expect(statuses).toEqual(['200', '404', '200']);
    } else {
      // Bun.serve 1.4.4 and 1.4.5 drop the answers of pipelined requests whose handler awaits I/O
      // (a three-line Bun.serve shows it); recorded here so that a Bun that fixes it is noticed.
      expect(statuses.length).toBeLessThan(3);
    }
  });
});

describe('hostile connections the node adapter shapes as JSON', () => {
  it('headers too large (431), an unknown or lower-case method (501): JSON errors', async () => {
    const { server } = await start('node');
    const big = await raw(server.port!, `GET /-/ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431/);
    expect(big).toContain('{"error":"request headers too large"}');
    for (const method of ['get', 'FROB']) {
      const res = await raw(server.port!, `${method} /-/ping HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(res, method).toMatch(/^HTTP\/1\.1 (501|400)/);
      expect(res, method).toMatch(/\{"error":"[^"]+"\}$/);
    }
  });
});
