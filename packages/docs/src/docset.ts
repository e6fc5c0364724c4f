import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PackageDocs } from './types.ts';

/** Options of {@link createDocset}. */
export interface DocsetOptions {
  /** Folder that receives `<name>.docset`, `<name>.tgz` and `<name>.xml`. */
  outDir: string;
  /** Docset name (CFBundleName, file names). Default `FactoryWager`. */
  name?: string;
  /** Where the `.tgz` will be served from, for the feed; default the file URL of `outDir`. */
  baseUrl?: string;
}

/** What {@link createDocset} wrote. */
export interface DocsetResult {
  docset: string;
  archive: string;
  feed: string;
  version: string;
  packages: number;
  entries: number;
}

/**
 * A Dash/Zeal docset from cached docs: `Contents/Info.plist`, `Contents/Resources/docSet.dsidx`
 * (SQLite through sql.js, so it also runs on Node: `searchIndex(id, name, type, path)` plus the
 * unique `anchor` index Dash's tools create), one sanitized HTML page per package with every symbol
 * under an anchor of its Dash entry type, a `.tgz` of the docset and the XML feed Dash and Zeal
 * subscribe to. The docset folder is replaced whole.
 * @example
 * const r = await createDocset(await cache.list(), { outDir: 'docsets', baseUrl: 'https://docs.example.com' });
 * // r.feed: docsets/FactoryWager.xml
 */
export async function createDocset(docs: PackageDocs[], options: DocsetOptions): Promise<DocsetResult> {
  // The writers load on first use, so that search and listing stay light.
  const [{ XMLBuilder }, { build: buildPlist }, { default: initSqlJs }, tar, { DASH_TYPES, anchorOf, indexPage, packagePage, pageOf }] = await Promise.all([
    import('fast-xml-parser'), import('plist'), import('sql.js'), import('tar'), import('./_html.ts'),
  ]);
  const name = options.name ?? 'FactoryWager';
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/.test(name)) throw new Error(`invalid docset name ${JSON.stringify(name)}`);
  const outDir = resolve(options.outDir);
  const docset = join(outDir, `${name}.docset`);
  const documents = join(docset, 'Contents', 'Resources', 'Documents');
  await rm(docset, { recursive: true, force: true });
  await mkdir(documents, { recursive: true });

  const id = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  await writeFile(join(docset, 'Contents', 'Info.plist'), buildPlist({
    CFBundleIdentifier: id, CFBundleName: name, DocSetPlatformFamily: id,
    isDashDocset: true, dashIndexFilePath: 'index.html', isJavaScriptEnabled: false, DashDocSetFamily: 'dashtoc',
  }));

  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run('CREATE TABLE searchIndex(id INTEGER PRIMARY KEY, name TEXT, type TEXT, path TEXT)');
  db.run('CREATE UNIQUE INDEX anchor ON searchIndex (name, type, path)');
  const insert = db.prepare('INSERT OR IGNORE INTO searchIndex(name, type, path) VALUES (?, ?, ?)');
  const hash = createHash('sha256');
  let entries = 0;
  for (const d of docs) {
    const file = pageOf(d.name);
    const html = packagePage(d);
    hash.update(html);
    await writeFile(join(documents, file), html);
    insert.run([d.name, DASH_TYPES.package, file]);
    entries++;
    for (const s of d.symbols) {
      insert.run([s.name, DASH_TYPES[s.kind], `${file}#${encodeURIComponent(anchorOf(s))}`]);
      entries++;
    }
  }
  insert.free();
  await writeFile(join(documents, 'index.html'), indexPage(name, docs));
  await writeFile(join(docset, 'Contents', 'Resources', 'docSet.dsidx'), db.export());
  db.close();

  const archive = join(outDir, `${name}.tgz`);
  await tar.c({ gzip: true, cwd: outDir, file: archive, portable: true }, [`${name}.docset`]);
  const version = `${new Date().toISOString().slice(0, 10)}.${hash.digest('hex').slice(0, 8)}`;
  const base = (options.baseUrl ?? pathToFileURL(outDir).href).replace(/\/+$/, '');
  const feed = join(outDir, `${name}.xml`);
  const xml = new XMLBuilder({ format: true }).build({ entry: { version, url: `${base}/${encodeURIComponent(name)}.tgz` } }) as string;
  await writeFile(feed, xml);
  return { docset, archive, feed, version, packages: docs.length, entries };
}
