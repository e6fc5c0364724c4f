// The .npmrc files of the full runner (synchronous node:fs; the warm path has its own, on Bun's API).
import { existsSync, readFileSync } from 'node:fs';
import { mergeNpmrc, npmrcPaths, parentDir, type Npmrc, type NpmrcFiles } from './_npmrc.ts';

/** npm's project folder: the nearest folder up from `cwd` with a package.json or node_modules. */
export function projectDir(cwd: string): string {
  for (let dir = cwd; ; dir = parentDir(dir)) {
    if (existsSync(`${dir}/package.json`) || existsSync(`${dir}/node_modules`)) return dir;
    if (parentDir(dir) === dir) return cwd;
  }
}

/** The project's .npmrc and the user's (npm_config_userconfig, else ~/.npmrc). */
export function npmrcFiles(cwd: string, home: string, env: Record<string, string | undefined>): NpmrcFiles {
  return npmrcPaths(projectDir(cwd), home, env);
}

const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** Both files merged, the project's keys over the user's; a missing file is empty. */
export function loadNpmrc(files: NpmrcFiles, env: Record<string, string | undefined>): Npmrc {
  return files.project === files.user ? mergeNpmrc(read(files.user), null, env) : mergeNpmrc(read(files.user), read(files.project), env);
}
