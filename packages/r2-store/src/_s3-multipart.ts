// Streams of unknown length to S3, with bounded memory. Hand-rolled rather than lib-storage's Upload:
// under Bun, Upload grew RSS by ~130 MiB for a 64 MiB stream (it slices and queues part buffers);
// this loop fills one reused part buffer, uploads it, and only then reads on (sequential parts).
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand,
  PutObjectCommand, UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';

export interface StreamUploadParams {
  Bucket: string;
  Key: string;
  ContentType?: string;
  Metadata?: Record<string, string>;
  IfMatch?: string;
  IfNoneMatch?: string;
}

/** Uploads `body`: one PutObject if it fits in one part, else a multipart upload. Returns the ETag. */
export async function uploadStream(client: S3Client, params: StreamUploadParams, body: ReadableStream<Uint8Array>, partSize: number): Promise<string> {
  const reader = body.getReader();
  const part = new Uint8Array(partSize);
  let pending: Uint8Array | undefined; // the tail of a chunk that did not fit in the last part
  let done = false;

  const fill = async (): Promise<number> => {
    let n = 0;
    while (n < partSize) {
      let chunk = pending;
      pending = undefined;
      if (!chunk) {
        if (done) break;
        const r = await reader.read();
        if (r.done) { done = true; break; }
        chunk = r.value;
      }
      const take = Math.min(chunk.byteLength, partSize - n);
      part.set(chunk.subarray(0, take), n);
      n += take;
      if (take < chunk.byteLength) pending = chunk.subarray(take);
    }
    return n;
  };

  const { IfMatch, IfNoneMatch, ...createParams } = params;
  let n = await fill();
  const more = async () => {
    if (pending || done) return Boolean(pending);
    const r = await reader.read();
    if (r.done) { done = true; return false; }
    pending = r.value;
    return true;
  };
  if (!(await more())) {
    const out = await client.send(new PutObjectCommand({ ...params, Body: part.subarray(0, n), ContentLength: n }));
    return out.ETag ?? '';
  }
  let UploadId: string | undefined;
  const parts: { PartNumber: number; ETag: string }[] = [];
  try {
    ({ UploadId } = await client.send(new CreateMultipartUploadCommand(createParams)));
    for (let PartNumber = 1; n > 0; PartNumber++) {
      const out = await client.send(new UploadPartCommand({
        Bucket: params.Bucket, Key: params.Key, UploadId, PartNumber, Body: part.subarray(0, n), ContentLength: n,
      }));
      parts.push({ PartNumber, ETag: out.ETag ?? '' });
      n = await fill();
    }
    const out = await client.send(new CompleteMultipartUploadCommand({
      Bucket: params.Bucket, Key: params.Key, UploadId, MultipartUpload: { Parts: parts },
      ...(IfMatch ? { IfMatch } : {}), ...(IfNoneMatch ? { IfNoneMatch } : {}),
    }));
    return out.ETag ?? '';
  } catch (err) {
    // release the parts stored so far, and the caller's stream (an HTTP request body, say)
    if (UploadId) await client.send(new AbortMultipartUploadCommand({ Bucket: params.Bucket, Key: params.Key, UploadId })).catch(() => {});
    await reader.cancel().catch(() => {});
    throw err;
  }
}
