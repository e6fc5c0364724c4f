import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3TestServer, type S3TestServer } from '../src/index.ts';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3TestServer();
});
afterAll(async () => {
  await s3?.stop();
});

const url = (key: string) => `${s3.endpoint}/${s3.bucket}/${key}`;

describe('local S3-protocol test server', () => {
  it('listens on 127.0.0.1 and answers 412 PreconditionFailed XML to a failed If-None-Match, keeping the object', async () => {
    expect(new URL(s3.endpoint).hostname).toBe('127.0.0.1');
    const first = await fetch(url('a.txt'), { method: 'PUT', body: 'one', headers: { 'if-none-match': '*' } });
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    const second = await fetch(url('a.txt'), { method: 'PUT', body: 'two', headers: { 'if-none-match': '*' } });
    expect(second.status).toBe(412);
    expect(await second.text()).toContain('<Code>PreconditionFailed</Code>');
    expect(await (await fetch(url('a.txt'))).text()).toBe('one');

    expect((await fetch(url('a.txt'), { method: 'PUT', body: 'x', headers: { 'if-match': '"stale"' } })).status).toBe(412);
    expect((await fetch(url('missing.txt'), { method: 'PUT', body: 'x', headers: { 'if-match': etag } })).status).toBe(412);
    const ok = await fetch(url('a.txt'), { method: 'PUT', body: 'three', headers: { 'if-match': etag } });
    expect(ok.status).toBe(200);
    expect(await (await fetch(url('a.txt'))).text()).toBe('three');
  });

  it('lets exactly one of 20 racing If-None-Match writes win', async () => {
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      fetch(url('race.txt'), { method: 'PUT', body: `w${i}`, headers: { 'if-none-match': '*' } }).then(async (r) => { await r.arrayBuffer(); return r.status; })));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
  });

  it('lets exactly one of 10 racing If-Match writes with the same etag win', async () => {
    const etag = (await fetch(url('cas.txt'), { method: 'PUT', body: 'v0' })).headers.get('etag')!;
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      fetch(url('cas.txt'), { method: 'PUT', body: `v${i + 1}`, headers: { 'if-match': etag } }).then(async (r) => { await r.arrayBuffer(); return r.status; })));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
  });

  it('accepts a 64 MiB single PUT (fauxqs alone stops at 11 MiB)', async () => {
    const body = new Uint8Array(64 * 1024 * 1024).fill(7);
    const put = await fetch(url('big.bin'), { method: 'PUT', body });
    expect(put.status).toBe(200);
    const head = await fetch(url('big.bin'), { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(body.byteLength));
    await fetch(url('big.bin'), { method: 'DELETE' });
  });

  it('enforces If-None-Match on CompleteMultipartUpload', async () => {
    await fetch(url('mp.bin'), { method: 'PUT', body: 'exists' });
    const created = await (await fetch(`${url('mp.bin')}?uploads`, { method: 'POST' })).text();
    const uploadId = /<UploadId>(.+?)<\/UploadId>/.exec(created)![1]!;
    const part = await fetch(`${url('mp.bin')}?partNumber=1&uploadId=${uploadId}`, { method: 'PUT', body: 'part' });
    const xml = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.get('etag')}</ETag></Part></CompleteMultipartUpload>`;
    const done = await fetch(`${url('mp.bin')}?uploadId=${uploadId}`, { method: 'POST', body: xml, headers: { 'if-none-match': '*' } });
    expect(done.status).toBe(412);
    expect(await (await fetch(url('mp.bin'))).text()).toBe('exists');
  });

  it('creates more buckets and stops its process', async () => {
    await s3.createBucket('second');
    expect((await fetch(`${s3.endpoint}/second/k`, { method: 'PUT', body: 'v' })).status).toBe(200);
    const other = await startS3TestServer();
    await other.stop();
    await expect(fetch(`${other.endpoint}/`)).rejects.toThrow();
  });
});
