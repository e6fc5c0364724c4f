// File access for the warm path: Bun's own file API where Bun runs (loading node:fs costs a Bun
// process about 3 ms of its ~10), node:fs/promises elsewhere (Node 20), loaded only then.
import { mergeNpmrc, npmrcPaths, parentDir, type Npmrc } from './_npmrc.ts';

export interface WarmStat {
  uid: number;
  mode: number;
  isDirectory(): boolean;
}

interface BunFileApi {
  file(path: string): { stat(): Promise<WarmStat>; text(): Promise<string>; exists(): Promise<boolean> };
  write(path: string, data: string): Promise<number>;
  mmap(path: string): Uint8Array;
}

const bun = (globalThis as { Bun?: BunFileApi }).Bun;
const decoder = new TextDecoder();
let nodeFs: Promise<typeof import('node:fs/promises')> | undefined;
const fsp = () => (nodeFs ??= import('node:fs/promises'));

/** The stat of a path (links followed), or null when there is none. */
export async function statOf(path: string): Promise<WarmStat | null> {
  try {
    return bun ? await bun.file(path).stat() : await (await fsp()).stat(path);
  } catch {
    return null;
  }
}

/**
 * A file's text, or null when it cannot be read. Under Bun a missing file is found with exists()
 * first (a rejected read builds an error, and the first one costs a Bun process about 1 ms), and
 * the file is read through a memory mapping, copied out at once.
 */
export async function readText(path: string): Promise<string | null> {
  try {
    if (!bun) return await (await fsp()).readFile(path, 'utf8');
    const file = bun.file(path);
    if (!(await file.exists())) return null;
    try {
      // Mapped and decoded at once: the first Bun.file().text() of a process costs it 0.5 to 3 ms
      // (node:fs costs more to load), a mapping about 0.05. An empty file cannot be mapped.
      return decoder.decode(bun.mmap(path));
    } catch {
      return await file.text();
    }
  } catch {
    return null;
  }
}

/** Whether a regular file is there (false for a folder), without an error for a missing one under Bun. */
async function isFile(path: string): Promise<boolean> {
  if (bun) return bun.file(path).exists();
  return (await statOf(path))?.isDirectory() === false;
}

/** Writes an empty file (its mtime becomes now). */
export async function touch(path: string): Promise<void> {
  if (bun) await bun.write(path, '');
  else await (await fsp()).writeFile(path, '');
}

/** The project's and the user's .npmrc merged, as _npmrc-files.ts reads them. */
export async function loadNpmrcAsync(cwd: string, home: string, env: Record<string, string | undefined>): Promise<Npmrc> {
  let project = cwd;
  for (let dir = cwd; ; dir = parentDir(dir)) {
    if ((await isFile(`${dir}/package.json`)) || (await statOf(`${dir}/node_modules`))) {
      project = dir;
      break;
    }
    if (parentDir(dir) === dir) break;
  }
  const files = npmrcPaths(project, home, env);
  const user = await readText(files.user);
  return mergeNpmrc(user, files.project === files.user ? null : await readText(files.project), env);
}
