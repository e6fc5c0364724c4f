import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * A running local S3-protocol server.
 * @example
 * const s3: S3TestServer = await startS3TestServer();
 */
export interface S3TestServer {
  /** e.g. http://127.0.0.1:41234 (path-style addressing). */
  endpoint: string;
  /** Any non-empty value is accepted; these are what the tests should pass. */
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** A bucket created at start. */
  bucket: string;
  /** Creates another bucket (idempotent). */
  createBucket(name: string): Promise<void>;
  /** Stops the server process and waits for it to exit. */
  stop(): Promise<void>;
}

const child = fileURLToPath(new URL('./child.mjs', import.meta.url));
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/**
 * Starts fauxqs behind our conditional-write front in a child process (the runtime running the
 * caller: Bun or Node), on 127.0.0.1 and an ephemeral port. A child keeps the server's memory and
 * CPU out of the measuring test process; it exits when `stop()` is called or its parent goes away.
 * @example
 * const s3 = await startS3TestServer();
 * const store = createStore({ driver: 's3', endpoint: s3.endpoint, bucket: s3.bucket,
 *   accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
 * // ... afterAll: await store.close?.(); await s3.stop();
 */
export async function startS3TestServer(options: { bucket?: string } = {}): Promise<S3TestServer> {
  const proc = spawn(process.execPath, [child], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, S3_TEST_SERVER_PORT: '0' } });
  running.add(proc);
  let stderr = '';
  proc.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => { running.delete(proc); resolve(); }));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        try {
          resolve((JSON.parse(line!) as { endpoint: string }).endpoint);
        } catch {
          reject(new Error(`s3 test server: unexpected output ${JSON.stringify(line)}`));
        }
      }
    });
    proc.once('exit', (code) => reject(new Error(`s3 test server exited with ${code}: ${stderr.trim()}`)));
    proc.once('error', reject);
  });
  const createBucket = async (name: string) => {
    const res = await fetch(`${endpoint}/${encodeURIComponent(name)}`, { method: 'PUT' });
    await res.arrayBuffer();
    if (!res.ok && res.status !== 409) throw new Error(`s3 test server: create bucket ${name}: HTTP ${res.status}`);
  };
  const bucket = options.bucket ?? 'fw-test';
  await createBucket(bucket);
  return {
    endpoint,
    accessKeyId: 'test',
    secretAccessKey: 'test',
    region: 'auto',
    bucket,
    createBucket,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.stdin!.end();
        proc.kill('SIGTERM');
      }
      await exited;
    },
  };
}
