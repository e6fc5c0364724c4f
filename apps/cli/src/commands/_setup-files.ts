import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import ini from 'ini';
import { CliError } from '../kit.ts';

/** One file `fw registry setup` changes: what it holds now and what it will hold. */
export interface FileChange {
  path: string;
  before: string | null;
  after: string;
  /** True when the new text holds the token (the file is then kept private: mode 0600). */
  secret: boolean;
}

/** The text of a file, or null when it does not exist. */
export async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * Writes a file whole (temp file + rename, so a crash leaves the old or the new text), keeping the
 * mode of the file it replaces; a new file holding a token is created 0600.
 */
export async function writeWhole(change: FileChange): Promise<void> {
  const { path, after, secret } = change;
  try {
    await mkdir(dirname(path), { recursive: true });
    const mode = existsSync(path) ? (await stat(path)).mode & 0o777 : secret ? 0o600 : 0o644;
    const tmp = `${path}.fw-${process.pid}-${Date.now()}.tmp`;
    await writeFile(tmp, after, { mode });
    await chmod(tmp, secret ? mode & 0o700 : mode);
    await rename(tmp, path);
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${(err as Error).message}`);
  }
}

/** A parse failure of a config file, as one line naming the file. */
export function parseError(path: string, err: unknown): CliError {
  return new CliError(`cannot merge into ${path}: it does not parse (${(err as Error).message.split('\n')[0]})`);
}

/** One setting of an .npmrc: `key=value`, or `key[]=value` lines for a list. */
export type NpmrcValue = string | string[];

/**
 * Merges settings into .npmrc text. Each line is read with `ini` (npm's own parser), so a key is
 * recognised however it is spaced or quoted; lines of other keys, comments and blank lines stay as
 * they are, in order. A key already set is replaced where it stands; a new one is appended.
 * @example
 * mergeNpmrc('fund=false\n', { '@acme:registry': 'http://127.0.0.1:4873/' });
 * // 'fund=false\n@acme:registry=http://127.0.0.1:4873/\n'
 */
export function mergeNpmrc(text: string | null, settings: Record<string, NpmrcValue>): string {
  const lines = (text ?? '').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const keyOf = (line: string): string | null => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';') || trimmed.startsWith('[')) return null;
    const keys = Object.keys(ini.parse(line));
    return keys.length === 1 ? keys[0]!.replace(/\[\]$/, '') : null;
  };
  const render = (key: string, value: NpmrcValue) =>
    Array.isArray(value) ? value.map((v) => `${key}[]=${ini.safe(v)}`) : [`${key}=${ini.safe(value)}`];
  const out: string[] = [];
  const done = new Set<string>();
  for (const line of lines) {
    const key = keyOf(line);
    if (key === null || !Object.hasOwn(settings, key)) {
      out.push(line);
      continue;
    }
    if (!done.has(key)) out.push(...render(key, settings[key]!));
    done.add(key);
  }
  for (const [key, value] of Object.entries(settings)) if (!done.has(key)) out.push(...render(key, value));
  return `${out.join('\n')}\n`;
}

/** The `//host:port/path/` prefix npm keys a registry's credentials by. */
export function nerfDart(registry: string): string {
  const url = new URL(registry.endsWith('/') ? registry : `${registry}/`);
  return `//${url.host}${url.pathname}`;
}

/**
 * The .npmrc settings that point npm-compatible clients (npm, pnpm, yarn 1, deno) at the registry,
 * for one scope or for everything, with the token for it.
 */
export function npmrcSettings(registry: string, scope: string | null, token: string | null): Record<string, NpmrcValue> {
  const url = registry.endsWith('/') ? registry : `${registry}/`;
  return {
    [scope ? `${scope}:registry` : 'registry']: url,
    ...(token ? { [`${nerfDart(url)}:_authToken`]: token } : {}),
  };
}
