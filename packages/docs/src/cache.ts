import { mkdir, readdir, readFile, rename, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackageDocs } from './types.ts';

/**
 * A file name for a package name: `/` becomes `+`, which npm names never contain, so two names
 * never share a file (`@a/b` is `@a+b`).
 * @example
 * docFileName('@acme/ui'); // '@acme+ui'
 */
export const docFileName = (name: string) => name.replace('/', '+');

/**
 * The local docs cache: one JSON file per package under `dir` (usually `<data folder>/.docs`),
 * each written whole (temp file + rename), so a crash leaves the old or the new copy.
 * @example
 * const cache = new DocsCache('.factorywager/.docs');
 * await cache.put(docs);
 * (await cache.list()).map((d) => d.name);
 */
export class DocsCache {
  constructor(readonly dir: string) {}

  private pathOf(name: string): string {
    return join(this.dir, 'packages', `${docFileName(name)}.json`);
  }

  async put(docs: PackageDocs): Promise<void> {
    const path = this.pathOf(docs.name);
    await mkdir(join(this.dir, 'packages'), { recursive: true });
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, JSON.stringify(docs));
    await rename(tmp, path).catch(async (err: unknown) => {
      await unlink(tmp).catch(() => {});
      throw err;
    });
  }

  async get(name: string): Promise<PackageDocs | null> {
    try {
      return JSON.parse(await readFile(this.pathOf(name), 'utf8')) as PackageDocs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** Every cached package, by name. Unreadable files (a foreign file, a partial copy) are skipped. */
  async list(): Promise<PackageDocs[]> {
    let files: string[];
    try {
      files = (await readdir(join(this.dir, 'packages'))).filter((f) => f.endsWith('.json'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const docs = await Promise.all(files.map(async (f) => {
      try {
        const d = JSON.parse(await readFile(join(this.dir, 'packages', f), 'utf8')) as PackageDocs;
        return typeof d?.name === 'string' && Array.isArray(d.symbols) ? d : null;
      } catch {
        return null;
      }
    }));
    return docs.filter((d): d is PackageDocs => d !== null).sort((a, b) => a.name.localeCompare(b.name));
  }
}
