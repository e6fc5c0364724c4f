import { afterAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../src/errors.ts';
import { readTarball } from '../src/packages/tarball-reader.ts';
import { offThreadTarballReader } from '../src/packages/tarball-worker.ts';
import { rawTgz } from './_tar.ts';

const limits = { maxUnpackedSize: 50 * 1024 * 1024, maxEntries: 1000 };
const pkgJson = (version: string) => ({ name: 'package/package.json', data: JSON.stringify({ name: 'off-thread', version, bin: { t: 'cli.js' } }) });
// inThreadBelow 0: even these small tarballs go to the workers
const reader = offThreadTarballReader({ workers: 2, inThreadBelow: 0 });
afterAll(() => reader.close());

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (err) {
    return err as RegistryError;
  }
  throw new Error('expected a failure');
}

describe('offThreadTarballReader', () => {
  it('reads in worker threads what readTarball reads on this one, for many tarballs at once', async () => {
    expect(reader.inThread).toBe(false);
    const tgzs = Array.from({ length: 12 }, (_, i) => rawTgz([pkgJson(`1.0.${i}`), { name: 'package/cli.js', data: 'x'.repeat(i * 100) }, { name: 'package/lib/a.js', data: 'a' }]));
    const off = await Promise.all(tgzs.map((t) => reader(t, limits)));
    const here = await Promise.all(tgzs.map((t) => readTarball(t, limits)));
    expect(off).toEqual(here);
    expect(off.map((f) => f.pkg.version)).toEqual(tgzs.map((_, i) => `1.0.${i}`));
    expect(off[3]).toMatchObject({ files: ['package.json', 'cli.js', 'lib/a.js'], fileCount: 3 });
  });

  it('gives back the reader\'s errors as RegistryErrors with their code and message', async () => {
    const many = rawTgz([pkgJson('1.0.0'), ...Array.from({ length: 1200 }, (_, i) => ({ name: `package/f${i}`, data: '' }))]);
    const tooMany = await failure(reader(many, limits));
    expect(tooMany).toBeInstanceOf(RegistryError);
    expect([tooMany.code, tooMany.status, tooMany.message]).toEqual(['TOO_LARGE', 413, 'tarball has more than 1000 entries']);
    const escaping = await failure(reader(rawTgz([pkgJson('1.0.0'), { name: 'package/../evil.js', data: '' }]), limits));
    expect([escaping.code, escaping.message]).toEqual(['BAD_REQUEST', 'tarball entry "package/../evil.js" has a ".." segment: refused']);
    const notGzip = await failure(reader(new TextEncoder().encode('not a tarball'), limits));
    expect(notGzip.code).toBe('BAD_REQUEST');
    // the workers carry on after failures
    expect((await reader(rawTgz([pkgJson('2.0.0')]), limits)).pkg.version).toBe('2.0.0');
  });

  it('reads tarballs under inThreadBelow on the calling thread, starts a worker for larger ones and stops it when idle', async () => {
    const own = offThreadTarballReader({ inThreadBelow: 2048, idleMs: 50 });
    try {
      const small = rawTgz([pkgJson('1.0.0')]);
      expect(small.byteLength).toBeLessThan(2048);
      expect((await own(small, limits)).pkg.version).toBe('1.0.0');
      expect(own.running).toBe(0);
      // random bytes do not compress: over the bound
      const noise = Buffer.from(crypto.getRandomValues(new Uint8Array(4096))).toString('base64');
      const large = rawTgz([pkgJson('1.0.1'), { name: 'package/noise.txt', data: noise }]);
      expect(large.byteLength).toBeGreaterThanOrEqual(2048);
      expect((await own(large, limits)).files).toEqual(['package.json', 'noise.txt']);
      expect(own.running).toBe(1);
      for (let i = 0; i < 100 && own.running > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(own.running).toBe(0);
      // and starts again when needed
      expect((await own(large, limits)).pkg.version).toBe('1.0.1');
      expect(own.running).toBe(1);
    } finally {
      await own.close();
    }
  });

  it('refuses new work once closed', async () => {
    const own = offThreadTarballReader({ inThreadBelow: 0 });
    expect((await own(rawTgz([pkgJson('1.0.0')]), limits)).fileCount).toBe(1);
    await own.close();
    const closed = await failure(own(rawTgz([pkgJson('1.0.0')]), limits));
    expect(closed.message).toMatch(/closed/);
  });
});
