import { lstatSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertOwned, isDir, makeTempDir } from './_fs.ts';
import { ENTRY_FILE, LAST_USE_FILE, META_DIR, TMP_DIR, parseEntryName, registryFromKey, type EntryRecord } from './_layout.ts';

export { defaultCacheDir } from './_layout.ts';

/** One cached package, as `bunx:cache` lists it. */
export interface CacheEntry {
  name: string;
  version: string;
  registry: string;
  /** Bytes on disk (files and links, counted once per inode). */
  size: number;
  lastUsed: Date;
  path: string;
}

/**
 * Records a run: the entry's `last-use` file gets the current time.
 * @example
 * touchLastUse(entry.dir);
 */
export function touchLastUse(entryDir: string, now = new Date()): void {
  const file = join(entryDir, LAST_USE_FILE);
  try {
    utimesSync(file, now, now);
  } catch {
    writeFileSync(file, '');
  }
}

/** Size of a tree without following links; hard links counted once. */
export function treeSize(path: string, seen = new Set<string>()): number {
  const st = lstatSync(path);
  const id = `${st.dev}:${st.ino}`;
  if (seen.has(id)) return 0;
  seen.add(id);
  if (!st.isDirectory()) return st.size;
  let total = st.size;
  for (const name of readdirSync(path)) total += treeSize(join(path, name), seen);
  return total;
}

/**
 * Every complete entry under `cacheDir` (folders being built, under .tmp, are not entries).
 * @example
 * listEntries(defaultCacheDir()).map((e) => `${e.name}@${e.version}`);
 */
export function listEntries(cacheDir: string): CacheEntry[] {
  if (!isDir(cacheDir)) return [];
  assertOwned(cacheDir, 'the cache folder');
  const out: CacheEntry[] = [];
  for (const key of readdirSync(cacheDir)) {
    if (key.startsWith('.')) continue;
    const regDir = join(cacheDir, key);
    if (!isDir(regDir)) continue;
    let registry: string;
    try {
      registry = registryFromKey(key);
    } catch {
      continue;
    }
    for (const segment of readdirSync(regDir)) {
      if (segment === META_DIR) continue;
      const parsed = parseEntryName(segment);
      const path = join(regDir, segment);
      if (!parsed || !isDir(path)) continue;
      let record: EntryRecord | null = null;
      try {
        record = JSON.parse(readFileSync(join(path, ENTRY_FILE), 'utf8')) as EntryRecord;
      } catch {
        continue;
      }
      let lastUsed: Date;
      try {
        lastUsed = statSync(join(path, LAST_USE_FILE)).mtime;
      } catch {
        lastUsed = new Date(record.created);
      }
      out.push({ name: parsed.name, version: parsed.version, registry: record.registry || registry, size: treeSize(path), lastUsed, path });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version, undefined, { numeric: true }));
}

/**
 * Removes entries not used for `days` days (and folders left in .tmp by runs that were killed, after
 * a day). Each entry is first renamed into .tmp, so no half-removed entry is ever seen as one.
 * @example
 * const { removed, bytesFreed } = cleanEntries('/home/me/.bun/registry-cache', 30);
 */
export function cleanEntries(cacheDir: string, days: number, now = Date.now()): { removed: CacheEntry[]; bytesFreed: number } {
  const cutoff = now - days * 86_400_000;
  const removed: CacheEntry[] = [];
  let bytesFreed = 0;
  const entries = listEntries(cacheDir);
  if (entries.length === 0 && !isDir(join(cacheDir, TMP_DIR))) return { removed, bytesFreed };
  for (const entry of entries) {
    if (entry.lastUsed.getTime() >= cutoff) continue;
    const trash = makeTempDir(join(cacheDir, TMP_DIR), 'trash-');
    try {
      renameSync(entry.path, join(trash, 'entry'));
    } catch {
      rmSync(trash, { recursive: true, force: true });
      continue; // removed or replaced meanwhile
    }
    rmSync(trash, { recursive: true, force: true });
    removed.push(entry);
    bytesFreed += entry.size;
  }
  const tmp = join(cacheDir, TMP_DIR);
  if (isDir(tmp)) {
    for (const name of readdirSync(tmp)) {
      const path = join(tmp, name);
      try {
        if (lstatSync(path).mtimeMs < now - 86_400_000) {
          bytesFreed += treeSize(path);
          rmSync(path, { recursive: true, force: true });
        }
      } catch {
        // gone meanwhile
      }
    }
  }
  return { removed, bytesFreed };
}
