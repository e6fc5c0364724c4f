// Streams of unknown length to S3, with bounded memory. Hand-rolled rather than lib-storage's Upload:
// under Bun, Upload grew RSS by ~130 MiB for a 64 MiB stream (it slices and queues part buffers);
// this loop fills one reused part buffer (./_part-reader.ts), uploads it, and only then reads on
// (sequential parts).
import type { S3Client } from '@aws-sdk/client-s3';
import { loadS3Sdk } from './_s3-sdk.ts';
import { partReader } from './_part-reader.ts';

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
  const { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand } = await loadS3Sdk();
  const parts = partReader(body, partSize);
  const { part } = parts;

  const { IfMatch, IfNoneMatch, ...createParams } = params;
  let n = await parts.fill();
  if (!(await parts.more())) {
    const out = await client.send(new PutObjectCommand({ ...params, Body: part.subarray(0, n), ContentLength: n }));
    return out.ETag ?? '';
  }
  let UploadId: string | undefined;
  const uploaded: { PartNumber: number; ETag: string }[] = [];
  try {
    ({ UploadId } = await client.send(new CreateMultipartUploadCommand(createParams)));
    for (let PartNumber = 1; n > 0; PartNumber++) {
      const out = await client.send(new UploadPartCommand({
        Bucket: params.Bucket, Key: params.Key, UploadId, PartNumber, Body: part.subarray(0, n), ContentLength: n,
      }));
      uploaded.push({ PartNumber, ETag: out.ETag ?? '' });
      n = await parts.fill();
    }
    const out = await client.send(new CompleteMultipartUploadCommand({
      Bucket: params.Bucket, Key: params.Key, UploadId, MultipartUpload: { Parts: uploaded },
      ...(IfMatch ? { IfMatch } : {}), ...(IfNoneMatch ? { IfNoneMatch } : {}),
    }));
    return out.ETag ?? '';
  } catch (err) {
    // release the parts stored so far, and the caller's stream (an HTTP request body, say)
    if (UploadId) await client.send(new AbortMultipartUploadCommand({ Bucket: params.Bucket, Key: params.Key, UploadId })).catch(() => {});
    await parts.cancel();
    throw err;
  }
}
