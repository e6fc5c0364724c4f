// .npmrc reading, as npm does it, for the registry and its token. node:fs and node:path only: the
// warm path resolves the registry with it. Hand-written because npm's own reader (@npmcli/config)
// loads all of npm's configuration machinery; what is needed here is `key = value` lines, `${VAR}`
// expansion, scope registries and npm-registry-fetch's walk up the path for credentials.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type Npmrc = Map<string, string>;

/**
 * Parses .npmrc text: `key = value` lines, `;` and `#` comments, quoted values, `${VAR}` expanded.
 * @example
 * parseNpmrc('registry=https://r.example/\n//r.example/:_authToken=${T}', { T: 'x' }).get('//r.example/:_authToken'); // 'x'
 */
export function parseNpmrc(text: string, env: Record<string, string | undefined> = {}): Npmrc {
  const out: Npmrc = new Map();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = expand(line.slice(0, eq).trim(), env);
    let value = line.slice(eq + 1).trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    out.set(key, expand(value, env));
  }
  return out;
}

function expand(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/(\\*)\$\{([^}]+)\}/g, (whole, slashes: string, name: string) =>
    slashes.length % 2 ? whole.slice(1) : `${slashes}${env[name] ?? ''}`);
}

/** npm's project folder: the nearest folder up from `cwd` with a package.json or node_modules. */
export function projectDir(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'node_modules'))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}

export interface NpmrcFiles {
  project: string;
  user: string;
}

/** The project's .npmrc and the user's (npm_config_userconfig, else ~/.npmrc). */
export function npmrcFiles(cwd: string, home: string, env: Record<string, string | undefined>): NpmrcFiles {
  return {
    project: join(projectDir(cwd), '.npmrc'),
    user: env.npm_config_userconfig || env.NPM_CONFIG_USERCONFIG || join(home, '.npmrc'),
  };
}

/** Both files merged, the project's keys over the user's; a missing file is empty. */
export function loadNpmrc(files: NpmrcFiles, env: Record<string, string | undefined>): Npmrc {
  const merged: Npmrc = new Map();
  for (const path of files.project === files.user ? [files.user] : [files.user, files.project]) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    for (const [k, v] of parseNpmrc(text, env)) merged.set(k, v);
  }
  return merged;
}

/**
 * The registry for a package: its scope's `@scope:registry`, else `registry`, else null.
 * @example
 * registryFromNpmrc(parseNpmrc('@acme:registry=https://r.example/'), '@acme/cli'); // 'https://r.example/'
 */
export function registryFromNpmrc(rc: Npmrc, name: string): string | null {
  const scope = /^(@[^/]+)\//.exec(name)?.[1];
  return (scope && rc.get(`${scope}:registry`)) || rc.get('registry') || null;
}

/**
 * The `_authToken` for a URL (a registry or a tarball), found as npm-registry-fetch does: start at
 * `//host/path/`, then walk up by dropping the last segment or slash until only `//host` is left.
 * @example
 * tokenFromNpmrc(parseNpmrc('//r.example/team/:_authToken=t'), 'https://r.example/team/pkg/-/pkg-1.0.0.tgz'); // 't'
 */
export function tokenFromNpmrc(rc: Npmrc, uri: string): string | null {
  const url = new URL(uri);
  let key = `//${url.host}${url.pathname}`;
  while (key.length > 2) {
    const token = rc.get(`${key}:_authToken`);
    if (token) return token;
    key = key.replace(/([^/]+|\/)$/, '');
  }
  return null;
}
