// Clean-up of a failed multipart upload, over a fake client that fails the step under test.
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { uploadStream } from '../src/_s3-multipart.ts';

const MiB = 1024 * 1024;

function source(total: number) {
  const state = { cancelled: false, sent: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.sent >= total) return controller.close();
      controller.enqueue(new Uint8Array(MiB));
      state.sent += MiB;
    },
    cancel() { state.cancelled = true; },
  });
  return { body, state };
}

function client(failOn: new (...args: never[]) => unknown) {
  const sent: string[] = [];
  const fake = {
    async send(command: object) {
      sent.push(command.constructor.name);
      if (command instanceof failOn) throw new Error(`${command.constructor.name} failed`);
      if (command instanceof CreateMultipartUploadCommand) return { UploadId: 'u1' };
      return { ETag: '"e"' };
    },
  };
  return { client: fake as unknown as S3Client, sent };
}

describe('uploadStream clean-up', () => {
  it('a failed part aborts the upload and cancels the caller\'s stream', async () => {
    const { body, state } = source(64 * MiB);
    const c = client(UploadPartCommand);
    await expect(uploadStream(c.client, { Bucket: 'b', Key: 'k' }, body, 5 * MiB)).rejects.toThrow('UploadPartCommand failed');
    expect(c.sent).toEqual(['CreateMultipartUploadCommand', 'UploadPartCommand', 'AbortMultipartUploadCommand']);
    expect(state.cancelled).toBe(true);
  });

  it('a failed start cancels the caller\'s stream (nothing to abort)', async () => {
    const { body, state } = source(64 * MiB);
    const c = client(CreateMultipartUploadCommand);
    await expect(uploadStream(c.client, { Bucket: 'b', Key: 'k' }, body, 5 * MiB)).rejects.toThrow('CreateMultipartUploadCommand failed');
    expect(c.sent).not.toContain(AbortMultipartUploadCommand.name);
    expect(state.cancelled).toBe(true);
    expect(state.sent).toBeLessThan(64 * MiB);
  });
});
