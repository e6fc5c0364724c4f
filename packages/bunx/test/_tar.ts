// Hand-built tar archives for the hostile cases: node-tar's own writer sanitises paths, so it
// cannot make the archives a malicious publisher would.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface RawEntry {
  path: string;
  /** '0' file, '1' hard link, '2' symbolic link, '3' char device, '5' directory, '6' FIFO */
  type?: '0' | '1' | '2' | '3' | '4' | '5' | '6';
  data?: string;
  linkpath?: string;
  mode?: number;
}

function header(e: RawEntry, size: number): Buffer {
  const h = Buffer.alloc(512, 0);
  const put = (text: string, offset: number, length: number) => h.write(text.slice(0, length), offset, length, 'utf8');
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0');
  put(e.path, 0, 100);
  put(octal(e.mode ?? (e.type === '5' ? 0o755 : 0o644), 8), 100, 7);
  put(octal(0, 8), 108, 7);
  put(octal(0, 8), 116, 7);
  put(octal(size, 12), 124, 11);
  put(octal(1_700_000_000, 12), 136, 11);
  h.fill(' ', 148, 156);
  put(e.type ?? '0', 156, 1);
  put(e.linkpath ?? '', 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/** A gzipped tar of exactly these entries, unsanitised. */
export function rawTarGz(entries: RawEntry[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.type === undefined || e.type === '0' ? e.data ?? '' : '');
    parts.push(header(e, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return new Uint8Array(gzipSync(Buffer.concat(parts)));
}

export const sha512 = (bytes: Uint8Array) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;

/** A package tarball with a package.json and a bin that prints its arguments and exits with $EXIT_CODE. */
export function packageTarGz(name: string, version: string, extra: RawEntry[] = [], pkg: Record<string, unknown> = {}): Uint8Array {
  const manifest = { name, version, bin: { [name.replace(/^@[^/]+\//, '')]: 'bin.js' }, ...pkg };
  return rawTarGz([
    { path: 'package/package.json', data: JSON.stringify(manifest) },
    { path: 'package/bin.js', data: `#!/usr/bin/env node\nconsole.log(JSON.stringify({ version: ${JSON.stringify(version)}, args: process.argv.slice(2) }));\nprocess.exitCode = Number(process.env.EXIT_CODE ?? 0);\n`, mode: 0o755 },
    ...extra,
  ]);
}
