// Shared by the tests that run one scenario on every store driver, and by the search tests that check
// the index against the search as it was before it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { fsDriver, memoryDriver, s3Driver, type ObjectStore } from '@factorywager/r2-store';
import { startS3TestServer } from '@factorywager/s3-test-server';
import type { IndexEntry } from '../src/packages/index-entry.ts';

/**
 * The memory, fs (a temp folder) and s3 (the local S3-protocol server) drivers, for `describe.each`;
 * what each makes is removed after the file's tests.
 * @example
 * describe.each(everyDriver('fw-index-'))('package index (%s driver)', (_name, makeDriver) => { ... });
 */
export function everyDriver(folderPrefix: string): Array<[string, () => Promise<ObjectStore>]> {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => { for (const c of cleanups.reverse()) await c(); });
  return [
    ['memory', async () => memoryDriver()],
    ['fs', async () => {
      const dir = await mkdtemp(join(tmpdir(), folderPrefix));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return fsDriver({ root: dir });
    }],
    ['s3', async () => {
      const s3 = await startS3TestServer();
      cleanups.push(() => s3.stop());
      return s3Driver({ endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    }],
  ];
}

/** The search as it was before the index: every entry tested, exact name matches first, then list order. */
export function naiveSearch(entries: readonly IndexEntry[], q: string): string[] {
  const ws = q.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = entries.filter((e) => ws.every((w) => w.startsWith('keywords:')
    ? w.slice(9).split(',').some((k) => (e.keywords ?? []).map((x) => x.toLowerCase()).includes(k))
    : `${e.name}\n${e.description ?? ''}\n${(e.keywords ?? []).join('\n')}`.toLowerCase().includes(w)));
  const exact = hits.filter((e) => ws.includes(e.name.toLowerCase()));
  return [...exact, ...hits.filter((e) => !exact.includes(e))].map((e) => e.name);
}
