import { Parser } from 'tar';
import { RegistryError } from '../errors.ts';
import { isPlainObject } from '../_http.ts';

/** Bounds of {@link readTarball}. */
export interface TarballLimits {
  /** Bytes of the inflated tar stream (headers, data and padding). Beyond: TOO_LARGE. */
  maxUnpackedSize: number;
  /** Tar entries (files, folders and metadata headers). Beyond: TOO_LARGE. */
  maxEntries: number;
}

/** Reads a publish's tarball ({@link readTarball} on Node and Bun). */
export type TarballReader = (tgz: Uint8Array, limits: TarballLimits) => Promise<TarballFacts>;

/** What a publish needs to know of its tarball, read as npm's extractor reads it. */
export interface TarballFacts {
  /** The package.json npm installs: the one at `<top folder>/package.json`. */
  pkg: Record<string, unknown>;
  /** Paths of regular files with the top folder stripped (as npm extracts them), in archive order. */
  files: string[];
  fileCount: number;
  /** Sum of the regular files' sizes. */
  unpackedSize: number;
}

const bad = (message: string) => new RegistryError('BAD_REQUEST', message);
const MAX_PACKAGE_JSON = 1024 * 1024;
/** Input fed to the inflater per step: a 1 KiB slice inflates to at most ~1 MiB, so no step blocks for long. */
const SLICE = 1024;
/** Longest stretch of inflating and parsing before other requests get a turn. */
const YIELD_MS = 4;
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const show = (path: string) => JSON.stringify(path.slice(0, 200));

/**
 * Why npm's extractor would read `path` differently from how it reads, or not at all; null when
 * it is plain. node-tar (what npm extracts with) drops `..` entries and strips absolute roots,
 * Windows extraction turns `\` into a separator, `.` and empty segments collapse, and control
 * characters end or garble names in terminals and file systems.
 */
function pathProblem(path: string): string | null {
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'is an absolute path';
  if (path.includes('\\')) return 'has a backslash (a separator on Windows)';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(path)) return 'has a control character';
  const segments = path.split('/');
  if (segments.includes('..')) return 'has a ".." segment';
  if (segments.includes('.')) return 'has a "." segment';
  if (segments.includes('')) return 'has an empty segment';
  return null;
}

/**
 * Reads a publish's .tgz with npm's own tar parser (node-tar: ustar prefix, pax and GNU long names,
 * every header type) and refuses what npm would extract differently from what the registry checks:
 * links and hardlinks, devices, FIFOs and unknown types, `..`, absolute and ambiguous paths, the same
 * path twice (npm keeps the last; compared case-insensitively, as macOS and Windows file systems do),
 * a file that is also a folder, and any header node-tar warns about. Streams: inflated in small steps
 * through the web DecompressionStream, giving the event loop a turn every few milliseconds, never kept whole (only
 * package.json is collected), and stopped at `limits`. Writes nothing.
 * @example
 * const { pkg, fileCount } = await readTarball(tgz, { maxUnpackedSize: 4e8, maxEntries: 1e5 });
 */
export async function readTarball(tgz: Uint8Array, limits: TarballLimits): Promise<TarballFacts> {
  let problem: RegistryError | null = null;
  const fail = (err: RegistryError) => { problem ??= err; };
  const files: string[] = [];
  const seen = new Map<string, string>();
  const folders = new Set<string>();
  let entries = 0;
  let unpackedSize = 0;
  const pkgJson: { chunks: Uint8Array[] | null; bytes: number } = { chunks: null, bytes: 0 };
  let pkgDone: Promise<void> = Promise.resolve();

  const parser = new Parser({
    strict: true,
    onwarn: (code: string, message: string | Error) => fail(bad(`tarball is not a valid tar archive: ${String((message as Error)?.message ?? message)} (${code})`)),
  });
  parser.on('error', (err: Error) => fail(bad(`tarball is not a valid tar archive: ${err.message}`)));
  parser.on('ignoredEntry', (entry: { type: string; path: string; resume(): void }) => {
    entries++;
    fail(bad(`tarball entry ${show(entry.path)} has the type ${entry.type}, which npm skips: refused`));
  });
  parser.on('entry', (entry: { type: string; path: string; size: number; meta: boolean; resume(): void; on(ev: string, fn: (c: Buffer) => void): void }) => {
    entries++;
    if (entries > limits.maxEntries) fail(new RegistryError('TOO_LARGE', `tarball has more than ${limits.maxEntries} entries`));
    const isFile = FILE_TYPES.has(entry.type);
    const raw = entry.type === 'Directory' ? entry.path.replace(/\/+$/, '') : entry.path;
    const why = pathProblem(raw);
    if (why) fail(bad(`tarball entry ${show(entry.path)} ${why}: refused`));
    else if (!isFile && entry.type !== 'Directory') fail(bad(`tarball entry ${show(entry.path)} is a ${entry.type}: links, devices and FIFOs are refused`));
    else {
      // npm strips the top folder (whatever its name) and extracts the rest.
      const segments = raw.split('/');
      const inner = segments.slice(1).join('/');
      if (isFile && !inner) fail(bad(`tarball entry ${show(entry.path)} lies outside the package folder: refused`));
      for (let i = 1; i < segments.length - (isFile ? 1 : 0); i++) folders.add(segments.slice(1, i + 1).join('/').normalize('NFC').toLowerCase());
      if (isFile && inner) {
        const key = inner.normalize('NFC').toLowerCase();
        const before = seen.get(key);
        if (before !== undefined) fail(bad(`tarball has ${show(before)} twice (npm would install the last copy): refused`));
        seen.set(key, entry.path);
        files.push(inner);
        unpackedSize += entry.size;
        if (inner === 'package.json') {
          const chunks: Uint8Array[] = (pkgJson.chunks = []);
          pkgDone = new Promise<void>((resolve) => {
            entry.on('data', (c: Buffer) => {
              pkgJson.bytes += c.byteLength;
              if (pkgJson.bytes > MAX_PACKAGE_JSON) fail(bad(`package.json in the tarball is larger than ${MAX_PACKAGE_JSON} bytes`));
              else chunks.push(new Uint8Array(c));
            });
            entry.on('end', () => resolve());
          });
          return;
        }
      }
    }
    entry.resume();
  });

  // Inflate in small steps; every read yields to the event loop.
  let offset = 0;
  const input = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= tgz.byteLength) { controller.close(); return; }
      controller.enqueue(tgz.subarray(offset, offset + SLICE));
      offset += SLICE;
    },
  }, { highWaterMark: 1 });
  const reader = input.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>).getReader();
  let inflated = 0;
  let slice = performance.now();
  try {
    for (;;) {
      // Reads of a web stream resolve as microtasks: without a macrotask turn now and then, timers
      // and sockets would wait for the whole archive.
      if (performance.now() - slice > YIELD_MS) {
        await new Promise((r) => setTimeout(r, 0));
        slice = performance.now();
      }
      let step;
      try {
        step = await reader.read();
      } catch {
        throw bad('attachment is not a gzip tarball');
      }
      if (step.done) break;
      inflated += step.value.byteLength;
      if (inflated > limits.maxUnpackedSize) throw new RegistryError('TOO_LARGE', `unpacked tarball exceeds the limit of ${limits.maxUnpackedSize} bytes`);
      parser.write(Buffer.from(step.value.buffer, step.value.byteOffset, step.value.byteLength));
      if (problem) throw problem;
    }
    await new Promise<void>((resolve) => {
      parser.once('end', () => resolve());
      parser.end();
    });
    await pkgDone;
    if (problem) throw problem;
  } finally {
    await reader.cancel().catch(() => {});
  }

  if (!pkgJson.chunks) throw bad('tarball has no package.json (npm reads <top folder>/package.json)');
  let pkg: unknown;
  try {
    pkg = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(pkgJson.chunks)));
  } catch {
    throw bad('package.json in the tarball is not valid JSON');
  }
  if (!isPlainObject(pkg)) throw bad('package.json in the tarball is not an object');
  for (const file of seen.keys()) {
    if (folders.has(file)) throw bad(`tarball has ${show(seen.get(file)!)} as a file and as a folder: refused`);
  }
  return { pkg, files, fileCount: files.length, unpackedSize };
}
