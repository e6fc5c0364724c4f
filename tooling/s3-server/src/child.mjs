// Child-process entry of startS3TestServer: listens, prints one JSON line with the endpoint, and
// exits when its parent closes stdin (the parent ended or died) or on SIGTERM.
import { listenS3Front } from './front.mjs';

const { endpoint, close } = await listenS3Front(Number(process.env.S3_TEST_SERVER_PORT ?? 0));
process.stdout.write(`${JSON.stringify({ endpoint })}\n`);
const stop = async () => {
  await close();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
