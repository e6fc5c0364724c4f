// .npmrc as npm reads it, for the registry and its token: parsing and lookups, no I/O (the files are
// found by _npmrc-files.ts, or by the warm path with Bun's file API). Hand-written because npm's own
// reader (@npmcli/config) loads all of npm's configuration machinery; what is needed here is
// `key = value` lines, `${VAR}` expansion, scope registries and npm-registry-fetch's walk up the path.

export type Npmrc = Map<string, string>;

/** The project's .npmrc and the user's. */
export interface NpmrcFiles {
  project: string;
  user: string;
}

/**
 * Where the two files are, given the project folder: the user's is npm_config_userconfig, else ~/.npmrc.
 * @example
 * npmrcPaths('/work/app', '/home/me', {}); // { project: '/work/app/.npmrc', user: '/home/me/.npmrc' }
 */
export function npmrcPaths(project: string, home: string, env: Record<string, string | undefined>): NpmrcFiles {
  return { project: `${project}/.npmrc`, user: env.npm_config_userconfig || env.NPM_CONFIG_USERCONFIG || `${home}/.npmrc` };
}

/** Both files' texts merged, the project's keys over the user's (null: a missing file). */
export function mergeNpmrc(userText: string | null, projectText: string | null, env: Record<string, string | undefined>): Npmrc {
  const merged: Npmrc = new Map();
  for (const text of [userText, projectText]) {
    if (text !== null) for (const [k, v] of parseNpmrc(text, env)) merged.set(k, v);
  }
  return merged;
}

/** The parent folder by string (`/a/b` -> `/a`, `/` -> `/`). */
export function parentDir(dir: string): string {
  const trimmed = dir.length > 1 ? dir.replace(/[\\/]+$/, '') : dir;
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  if (i < 0) return trimmed;
  if (i === 0) return '/';
  return /^[A-Za-z]:$/.test(trimmed.slice(0, i)) ? `${trimmed.slice(0, i)}\\` : trimmed.slice(0, i);
}

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
