// The worker side of offThreadTarballReader: reads each tarball it is sent with readTarball and
// answers with the facts, or with the error's code and message.
import { parentPort } from 'node:worker_threads';
import { readTarball, type TarballLimits } from './tarball-reader.ts';

interface Job {
  id: number;
  tgz: Uint8Array;
  limits: TarballLimits;
}

parentPort?.on('message', async ({ id, tgz, limits }: Job) => {
  try {
    parentPort!.postMessage({ id, facts: await readTarball(tgz, limits) });
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    parentPort!.postMessage({ id, error: { code: typeof e.code === 'string' ? e.code : 'INTERNAL', message: String(e.message ?? err) } });
  }
});
