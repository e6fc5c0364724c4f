// @aws-sdk/client-s3, loaded on first use: importing it costs 70-130 ms on Bun, which every program
// that imports @factorywager/r2-store paid (each CLI command that touches secrets or the store),
// whether it used S3 or not.
export type S3Sdk = typeof import('@aws-sdk/client-s3');

let loading: Promise<S3Sdk> | undefined;

/** The S3 SDK module (imported once per process). */
export function loadS3Sdk(): Promise<S3Sdk> {
  loading ??= import('@aws-sdk/client-s3');
  return loading;
}
