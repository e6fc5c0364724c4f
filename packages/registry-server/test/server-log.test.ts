// The default request log: one JSON line per request on stdout, written in batches.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryDriver, wrapStore } from '@factorywager/r2-store';
import { baseConfig } from '../src/config/defaults.ts';
import { NPMRegistryServer } from '../src/server.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

async function start(): Promise<NPMRegistryServer> {
  const base = baseConfig();
  const config = {
    ...base, uplinks: {}, packages: [{ pattern: '**', access: ['$all'], publish: ['$all'], unpublish: ['$all'] }],
    listen: { host: '127.0.0.1', port: 0 }, publicUrl: 'http://127.0.0.1:0',
  };
  return new NPMRegistryServer(config, { store: wrapStore(memoryDriver()) }).start();
}

/** The request lines written to stdout (other writes of the test runner left out). */
function stdoutLines(): { writes: string[][] } {
  const seen = { writes: [] as string[][] };
  const original = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const lines = text.split('\n').filter((l) => l.startsWith('{"method"'));
    if (lines.length) {
      seen.writes.push(lines);
      return true;
    }
    return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write);
  return seen;
}

describe('request log on stdout', () => {
  it('writes a batch 100 ms after its first line, not a write per request', async () => {
    const seen = stdoutLines();
    const server = await start();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const paths = ['/-/ping', '/nope', '/@scope%2fmissing', '/-/v1/search?text=x'];
      for (const p of paths) await (await fetch(`${server.url}${p}`)).arrayBuffer();
      await new Promise((r) => setImmediate(r));
      expect(seen.writes).toEqual([]);
      vi.advanceTimersByTime(100);
      expect(seen.writes.length).toBe(1);
      const lines = seen.writes[0]!.map((l) => JSON.parse(l) as { method: string; path: string; status: number });
      expect(lines.map((l) => [l.method, l.path, l.status])).toEqual([
        ['GET', '/-/ping', 200], ['GET', '/nope', 404], ['GET', '/@scope%2fmissing', 404], ['GET', '/-/v1/search', 200],
      ]);
    } finally {
      vi.useRealTimers();
      await server.stop(100);
    }
  });

  it('writes a batch at once when 64 KiB are waiting', async () => {
    const seen = stdoutLines();
    const server = await start();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const long = `/${'a'.repeat(200)}/${'b'.repeat(8000)}`; // a 404 whose path makes an 8 KB line
      for (let i = 0; i < 9; i++) await (await fetch(`${server.url}${long}`)).arrayBuffer();
      expect(seen.writes.length).toBe(1);
      expect(seen.writes[0]!.length).toBe(8);
    } finally {
      vi.useRealTimers();
      await server.stop(100);
    }
  });

  it('writes what is still waiting when the server stops', async () => {
    const seen = stdoutLines();
    const server = await start();
    await (await fetch(`${server.url}/-/ping`)).arrayBuffer();
    await server.stop(100);
    expect(seen.writes.flat().map((l) => (JSON.parse(l) as { path: string }).path)).toEqual(['/-/ping']);
  });
});
