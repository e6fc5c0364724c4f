import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsDriver } from '@factorywager/r2-store';
import { testDriver } from './contract.ts';

testDriver('fs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'fw-store-fs-'));
  return { driver: fsDriver({ root }), cleanup: () => rm(root, { recursive: true, force: true }) };
});
