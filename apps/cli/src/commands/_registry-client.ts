import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError, type Context } from '../kit.ts';

export const DEFAULT_REGISTRY = 'http://127.0.0.1:4873';

/** REGISTRY_URL, else the local default; always without a trailing slash. */
export function registryUrl(env: NodeJS.ProcessEnv): string {
  const raw = env.REGISTRY_URL?.trim() || DEFAULT_REGISTRY;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new CliError(`REGISTRY_URL is not an http(s) URL: ${JSON.stringify(raw)}`);
  }
  return raw.replace(/\/+$/, '');
}

/** Where a token may come from; the first source that answers wins. */
export interface TokenSource {
  name: string;
  token(registry: string): Promise<string | null>;
}

/** Expands `${VAR}` as npm does in .npmrc values. */
function expand(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/\$\{([^}]+)\}/g, (_, name: string) => env[name] ?? '');
}

/**
 * The `_authToken` for `registry` in one .npmrc: the entry whose `//host[:port]/path/` key is the
 * longest prefix of the registry URL (npm's "nerf dart" matching).
 */
export function tokenFromNpmrc(text: string, registry: string, env: NodeJS.ProcessEnv = {}): string | null {
  const url = new URL(registry.endsWith('/') ? registry : `${registry}/`);
  const target = `//${url.host}${url.pathname}`;
  let best: { len: number; token: string } | null = null;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\/\/[^=\s]+?):_authToken\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    const key = m[1]!.endsWith('/') ? m[1]! : `${m[1]}/`;
    const value = expand(m[2]!.replace(/^(['"])(.*)\1$/, '$2'), env);
    if (value && target.startsWith(key) && (!best || key.length > best.len)) best = { len: key.length, token: value };
  }
  return best?.token ?? null;
}

function npmrcSource(name: string, path: string, env: NodeJS.ProcessEnv): TokenSource {
  return {
    name,
    async token(registry) {
      const text = await readFile(path, 'utf8').catch(() => null);
      return text === null ? null : tokenFromNpmrc(text, registry, env);
    },
  };
}

/** What the secrets source needs of the secrets manager. */
export interface CredentialStore {
  getRegistryCredentials(hostOrUrl: string): Promise<{ token: string } | null>;
}

/**
 * The secret `registry:<host>` (set with `secrets:set registry:<host> '{"token":"..."}'`). The
 * manager opens only when asked, so commands that find FW_TOKEN never touch the keychain.
 */
export function secretsSource(open: () => Promise<CredentialStore>): TokenSource {
  return {
    name: 'secrets',
    async token(registry) {
      const found = await (await open()).getRegistryCredentials(registry);
      return found?.token ?? null;
    },
  };
}

/**
 * The token sources in order: FW_TOKEN, the secrets manager's `registry:<host>` (when given),
 * ./.npmrc, ~/.npmrc.
 */
export function tokenSources(
  env: NodeJS.ProcessEnv,
  options: { cwd?: string; home?: string; secrets?: () => Promise<CredentialStore> } = {},
): TokenSource[] {
  const { cwd = process.cwd(), home = env.HOME || homedir() } = options;
  return [
    { name: 'FW_TOKEN', token: async () => env.FW_TOKEN?.trim() || null },
    ...(options.secrets ? [secretsSource(options.secrets)] : []),
    npmrcSource('./.npmrc', join(cwd, '.npmrc'), env),
    npmrcSource('~/.npmrc', join(home, '.npmrc'), env),
  ];
}

/** The first token any source has for `registry`, or null. */
export async function resolveToken(registry: string, sources: TokenSource[]): Promise<string | null> {
  for (const source of sources) {
    const token = await source.token(registry);
    if (token) return token;
  }
  return null;
}

/** A small JSON client for the registry; every failure is one CliError line. */
export class RegistryClient {
  constructor(readonly registry: string, readonly token: string | null) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.registry}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new CliError(`cannot reach the registry at ${this.registry} (is it running? bun run registry:start)`);
    }
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      if (res.ok) throw new CliError(`the registry at ${this.registry} answered ${method} ${path} with something other than JSON`);
    }
    if (!res.ok) {
      const message = (data as { error?: unknown } | null)?.error;
      const hint = res.status === 401 && !this.token ? ' (set FW_TOKEN or log in: npm adduser --registry ' + `${this.registry}/)` : '';
      throw new CliError(`${method} ${path}: ${res.status} ${typeof message === 'string' ? message : res.statusText}${hint}`);
    }
    return data as T;
  }
}

/**
 * The client for REGISTRY_URL with the token of the first source that has one: FW_TOKEN, the
 * secrets manager, ./.npmrc, ~/.npmrc.
 */
export async function openClient(ctx: Context): Promise<RegistryClient> {
  const registry = registryUrl(ctx.env);
  const secrets = async () => (await import('./_secrets-context.ts')).openSecrets(ctx);
  return new RegistryClient(registry, await resolveToken(registry, tokenSources(ctx.env, { secrets })));
}

/** `@scope/name` as the registry path `/@scope%2fname`. */
export function packagePath(name: string): string {
  return `/${name.replace('/', '%2f')}`;
}
