// A tar writer for hostile tests: every ustar header field under the test's control (prefix, type,
// link name, pax records), which no packing library lets a caller get wrong on purpose.
import { gzipSync } from 'node:zlib';

export interface RawEntry {
  name: string;
  data?: string | Uint8Array;
  /** ustar typeflag: '0' file, '1' hardlink, '2' symlink, '3' char device, '5' folder, '6' FIFO, 'x' pax. */
  type?: string;
  prefix?: string;
  linkname?: string;
  /** pax records put in an extended header before this entry (`path`, `linkpath`). */
  pax?: Record<string, string>;
}

const enc = new TextEncoder();

function field(buf: Uint8Array, at: number, len: number, text: string): void {
  buf.set(enc.encode(text).subarray(0, len), at);
}

function octal(n: number, len: number): string {
  return `${n.toString(8).padStart(len - 1, '0')}\0`;
}

function header(e: { name: string; size: number; type: string; prefix?: string; linkname?: string }): Uint8Array {
  const h = new Uint8Array(512);
  field(h, 0, 100, e.name);
  field(h, 100, 8, octal(0o644, 8));
  field(h, 108, 8, octal(0, 8));
  field(h, 116, 8, octal(0, 8));
  field(h, 124, 12, octal(e.size, 12));
  field(h, 136, 12, octal(1_700_000_000, 12));
  field(h, 148, 8, '        ');
  field(h, 156, 1, e.type);
  if (e.linkname) field(h, 157, 100, e.linkname);
  field(h, 257, 6, 'ustar\0');
  field(h, 263, 2, '00');
  if (e.prefix) field(h, 345, 155, e.prefix);
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

function padded(data: Uint8Array): Uint8Array[] {
  const rest = data.byteLength % 512;
  return rest ? [data, new Uint8Array(512 - rest)] : [data];
}

/** A tar archive of `entries` (in order, duplicates allowed), ended by two zero blocks. */
export function rawTar(entries: RawEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    if (e.pax) {
      const records = Object.entries(e.pax).map(([k, v]) => {
        const body = ` ${k}=${v}\n`;
        let len = body.length + 2;
        while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
        return `${len}${body}`;
      }).join('');
      const bytes = enc.encode(records);
      parts.push(header({ name: 'PaxHeader', size: bytes.byteLength, type: 'x' }), ...padded(bytes));
    }
    const data = typeof e.data === 'string' ? enc.encode(e.data) : e.data ?? new Uint8Array(0);
    parts.push(header({ name: e.name, size: data.byteLength, type: e.type ?? '0', prefix: e.prefix, linkname: e.linkname }), ...padded(data));
  }
  parts.push(new Uint8Array(1024));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.byteLength; }
  return out;
}

/** {@link rawTar}, gzipped. */
export function rawTgz(entries: RawEntry[]): Uint8Array {
  return new Uint8Array(gzipSync(rawTar(entries)));
}
