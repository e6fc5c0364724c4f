// Cuts a stream into parts of one size for multipart uploads (S3 and R2), with one reused buffer:
// bounded memory whatever the stream's length. No library does this over a web ReadableStream
// without copying or queueing part buffers.

/** A reader that fills one reused part buffer from a stream. */
export interface PartReader {
  /** The part buffer, valid up to the length the last {@link PartReader.fill} returned. */
  readonly part: Uint8Array;
  /** Fills the part buffer as far as the stream goes (the part's size unless it ended); 0 at the end. */
  fill(): Promise<number>;
  /** True when the stream has bytes beyond the current part (reads one chunk ahead if needed). */
  more(): Promise<boolean>;
  /** Cancels the stream (the caller's request body, say), never throwing. */
  cancel(): Promise<void>;
}

/**
 * @example
 * const parts = partReader(body, 5 * 1024 * 1024);
 * let n = await parts.fill();
 * if (!(await parts.more())) await putOnce(parts.part.subarray(0, n));
 */
export function partReader(body: ReadableStream<Uint8Array>, partSize: number): PartReader {
  const reader = body.getReader();
  const part = new Uint8Array(partSize);
  let pending: Uint8Array | undefined; // the tail of a chunk that did not fit in the last part
  let done = false;
  return {
    part,
    async fill() {
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
    },
    async more() {
      if (pending || done) return Boolean(pending);
      const r = await reader.read();
      if (r.done) { done = true; return false; }
      pending = r.value;
      return true;
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}
