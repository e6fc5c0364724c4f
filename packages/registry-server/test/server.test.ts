import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryDriver, wrapStore } from '@factorywager/r2-store';
import { baseConfig } from '../src/config/defaults.ts';
import { withoutProxy } from '../src/config/proxy.ts';
import { NPMRegistryServer } from '../src/server.ts';
import type { RequestLogEntry } from '../src/handler.ts';

const servers: NPMRegistryServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function startServer(runtime: 'bun' | 'node', maxLoginAttempts = 10) {
  const base = withoutProxy(baseConfig());
  const config = { ...base, auth: { ...base.auth, maxLoginAttempts }, listen: { host: '127.0.0.1', port: 0 }, publicUrl: 'http://127.0.0.1:0' };
  const logs: RequestLogEntry[] = [];
  const server = await new NPMRegistryServer(config, { store: wrapStore(memoryDriver()), runtime, log: (e) => logs.push(e) }).start();
  servers.push(server);
  return { server, logs };
}

describe.each(['bun', 'node'] as const)('NPMRegistryServer on the %s adapter', (runtime) => {
  it('listens on an ephemeral port, answers ping, users and tokens, and logs without tokens', async () => {
    const { server, logs } = await startServer(runtime);
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const ping = await fetch(`${server.url}/-/ping`);
    expect(ping.status).toBe(200);
    expect(await ping.json()).toEqual({});

    const add = await fetch(`${server.url}/-/user/org.couchdb.user:alice`, {
      method: 'PUT', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'alice', password: 'correct horse battery' }),
    });
    expect(add.status).toBe(201);
    const { token } = (await add.json()) as { token: string };
    const who = await fetch(`${server.url}/-/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(await who.json()).toEqual({ username: 'alice' });
    const logout = await fetch(`${server.url}/-/user/token/${encodeURIComponent(token)}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(logout.status).toBe(200);
    expect((await fetch(`${server.url}/-/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    const missing = await fetch(`${server.url}/no-such-package`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toHaveProperty('error');

    expect(logs.map((l) => `${l.method} ${l.status}`)).toContain('GET 200');
    expect(JSON.stringify(logs)).not.toContain(token);
    expect(JSON.stringify(logs)).toContain('[redacted]');
  });

  it('streams request and response bodies (publish and tarball) and keeps binary bytes intact', async () => {
    const { server } = await startServer(runtime);
    const { token } = (await (await fetch(`${server.url}/-/user/org.couchdb.user:bob`, {
      method: 'PUT', body: JSON.stringify({ name: 'bob', password: 'correct horse battery' }), headers: { 'content-type': 'application/json' },
    })).json()) as { token: string };
    const { createTarGzip } = await import('nanotar');
    const pkgJson = { name: 'streamed', version: '1.0.0' };
    const tgz = await createTarGzip([{ name: 'package/package.json', data: JSON.stringify(pkgJson) }]);
    const sha512 = Buffer.from(await crypto.subtle.digest('SHA-512', tgz as BufferSource)).toString('base64');
    const sha1 = Buffer.from(await crypto.subtle.digest('SHA-1', tgz as BufferSource)).toString('hex');
    const body = {
      _id: 'streamed', name: 'streamed', 'dist-tags': { latest: '1.0.0' },
      versions: { '1.0.0': { ...pkgJson, dist: { integrity: `sha512-${sha512}`, shasum: sha1, tarball: `${server.url}/streamed/-/streamed-1.0.0.tgz` } } },
      _attachments: { 'streamed-1.0.0.tgz': { content_type: 'application/octet-stream', data: Buffer.from(tgz).toString('base64'), length: tgz.length } },
    };
    const put = await fetch(`${server.url}/streamed`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    expect(put.status).toBeLessThan(300);
    const tarball = await fetch(`${server.url}/streamed/-/streamed-1.0.0.tgz`);
    expect(tarball.status).toBe(200);
    const bytes = new Uint8Array(await tarball.arrayBuffer());
    expect(Buffer.from(bytes).equals(Buffer.from(tgz))).toBe(true);
    expect(gunzipSync(bytes).length).toBeGreaterThan(0);
  });

  it('answers a malformed Host header with a 400 JSON error, not a 500', async () => {
    const { server } = await startServer(runtime);
    const { connect } = await import('node:net');
    for (const host of ['a b', 'x:99999']) {
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(server.port!, '127.0.0.1', () => socket.end(`GET /some-package HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
        let data = '';
        socket.on('data', (chunk) => (data += chunk));
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
      expect(raw.split('\r\n')[0], host).toMatch(/^HTTP\/1\.1 400/);
      expect(raw, host).toContain('"error"');
    }
    expect((await fetch(`${server.url}/-/ping`)).status).toBe(200);
  });

  it('closes the tarball stream when a client drops a download half way', async () => {
    let cancelled = 0;
    const base = wrapStore(memoryDriver());
    const store = { ...base, getStream: async (key: string) => {
      const found = await base.getStream(key);
      if (!found) return found;
      const reader = found.body.getReader();
      // hands out the bytes in 64 KiB pieces, as a file stream does
      let rest: Uint8Array = new Uint8Array(0);
      const body = new ReadableStream<Uint8Array>({
        async pull(c) {
          if (rest.byteLength === 0) { const r = await reader.read(); if (r.done) return c.close(); rest = r.value; }
          c.enqueue(rest.subarray(0, 65536));
          rest = rest.subarray(65536);
        },
        cancel() { cancelled++; return reader.cancel(); },
      });
      return { ...found, body };
    } } as typeof base;
    const b = withoutProxy(baseConfig());
    const server = await new NPMRegistryServer({ ...b, listen: { host: '127.0.0.1', port: 0 }, publicUrl: 'http://127.0.0.1:0' }, { store, runtime, log: false }).start();
    servers.push(server);
    const { token } = (await (await fetch(`${server.url}/-/user/org.couchdb.user:dee`, { method: 'PUT', body: JSON.stringify({ name: 'dee', password: 'correct horse battery' }) })).json()) as { token: string };
    const { createTarGzip } = await import('nanotar');
    const noise = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < noise.length; i += 65536) crypto.getRandomValues(noise.subarray(i, i + 65536));
    const tgz = await createTarGzip([{ name: 'package/package.json', data: JSON.stringify({ name: 'big', version: '1.0.0' }) }, { name: 'package/noise.bin', data: noise }]);
    const sha512 = Buffer.from(await crypto.subtle.digest('SHA-512', tgz as BufferSource)).toString('base64');
    const body = { name: 'big', versions: { '1.0.0': { name: 'big', version: '1.0.0', dist: { integrity: `sha512-${sha512}` } } }, _attachments: { 'big-1.0.0.tgz': { data: Buffer.from(tgz).toString('base64') } } };
    expect((await fetch(`${server.url}/big`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) })).status).toBe(201);
    const { connect } = await import('node:net');
    await new Promise<void>((resolve, reject) => {
      const socket = connect(server.port!, '127.0.0.1', () => socket.write('GET /big/-/big-1.0.0.tgz HTTP/1.1\r\nHost: x\r\n\r\n'));
      socket.once('data', () => { socket.destroy(); resolve(); });
      socket.on('error', reject);
    });
    for (let i = 0; i < 100 && cancelled === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(cancelled).toBe(1);
  });

  it('passes the peer address to the login limits: failures of five users block a sixth from 127.0.0.1', async () => {
    // one failure per user and address; five times that per address over all names
    const { server } = await startServer(runtime, 1);
    const put = (name: string, password: string) => fetch(`${server.url}/-/user/org.couchdb.user:${name}`, { method: 'PUT', body: JSON.stringify({ name, password }) });
    const names = ['ann', 'ben', 'dan', 'eve', 'fay'];
    for (const name of [...names, 'cat']) expect((await put(name, 'correct horse battery')).status).toBe(201);
    for (const name of names) expect((await put(name, 'wrong password')).status).toBe(401);
    expect((await put('cat', 'correct horse battery')).status).toBe(429);
  });
});
