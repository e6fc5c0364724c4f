// Migration of a folder to plain files at the fs driver's first use: every old-format file (bytes +
// trailer) is rewritten plain with a sidecar, and sidecars whose file is gone are removed. Other
// files without a sidecar (dropped in by hand, restored from a backup without sidecars, or not the
// store's at all: the master key under `.secrets/`) are left as they are; the store describes one
// the first time it reads it. Top-level folders whose name starts with `.` are not walked. A marker file records that the folder was migrated, so later starts cost one stat. Objects
// are read in either form all along, and each one is brought over under its key's lock, so a server
// on the folder may run meanwhile; an object that fails is left (still readable) and the marker is
// not written, so the next start tries again.
import { open, readFile, stat, writeNewDurable } from './_fs-sys.ts';
import { join } from 'node:path';
import { readTrailer } from './_fs-format.ts';
import { entryFor, fileIdOf, isSidecarName, SIDECAR_SUFFIX } from './_fs-meta.ts';
import { INTERNAL, isMissing, publishFile, tempPath, walk } from './_fs-io.ts';
import type { FsObjects } from './_fs-objects.ts';

/** The marker's name under the internal folder, and its content. */
export const MARKER = 'format';
const MARKER_TEXT = 'plain files with .<name>.fw-meta sidecars (format 2)\n';

/** What a migration did. */
export interface MigrationReport { rewritten: number; orphansRemoved: number; failed: number; skipped: boolean }

/** Migrates the folder unless its marker says it was; see the file comment. */
export async function migrateOnStart(root: string, objects: FsObjects): Promise<MigrationReport> {
  const marker = join(root, INTERNAL, MARKER);
  const report: MigrationReport = { rewritten: 0, orphansRemoved: 0, failed: 0, skipped: false };
  if ((await readFile(marker, 'utf8').catch(() => null)) === MARKER_TEXT) return { ...report, skipped: true };
  const work: string[] = [];
  for await (const file of walk(root, '', true)) if (!file.startsWith('.')) work.push(file);
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < work.length) {
      const file = work[next++]!;
      try {
        await migrateOne(file, objects, report);
      } catch {
        report.failed++;
      }
    }
  }));
  if (report.failed === 0) {
    const tmp = tempPath(objects.tmpDir);
    await writeNewDurable(tmp, MARKER_TEXT);
    await publishFile(MARKER, tmp, marker);
  }
  return report;
}

async function migrateOne(file: string, objects: FsObjects, report: MigrationReport): Promise<void> {
  const slash = file.lastIndexOf('/');
  const name = file.slice(slash + 1);
  if (isSidecarName(name)) {
    const key = `${file.slice(0, slash + 1)}${name.slice(1, -SIDECAR_SUFFIX.length)}`;
    const exists = await stat(objects.pathOf(key)).then(() => true, (err) => (isMissing(err) ? false : Promise.reject(err)));
    if (!exists && (await objects.adopt(key)) === 'orphan removed') report.orphansRemoved++;
    return;
  }
  let path: string;
  try {
    path = objects.pathOf(file);
  } catch {
    return; // not a key this driver can serve (a name of the reserved form): left alone
  }
  const [st, sidecar] = await Promise.all([objects.statFile(path), objects.readSidecar(objects.sidecarOf(path))]);
  if (!st || entryFor(sidecar, fileIdOf(st))) return;
  const fh = await open(path, 'r');
  try {
    if (!(await readTrailer(fh, Number(st.size)))) return; // a plain file: described when first read
  } finally {
    await fh.close();
  }
  if ((await objects.adopt(file)) === 'rewritten') report.rewritten++;
}
