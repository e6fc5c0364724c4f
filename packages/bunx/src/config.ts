import { homeDir } from './_layout.ts';
import { tokenFromNpmrc, type Npmrc } from './_npmrc.ts';
import { loadNpmrc, npmrcFiles } from './_npmrc-files.ts';
import { chooseRegistry, type Source } from './_registry-url.ts';

export { DEFAULT_REGISTRY, normalizeRegistry, type Source } from './_registry-url.ts';

/** The keychain step of the token lookup: the secret `registry:<host>`, or null. */
export type CredentialLookup = (registry: string) => Promise<string | null>;

export interface RegistryConfigOptions {
  registry?: string;
  token?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  home?: string;
  /** The keychain lookup; called only when options and FW_TOKEN have no token. */
  credentials?: CredentialLookup;
}

/**
 * Resolves the registry and its token once, in a fixed order. Registry: options, REGISTRY_URL,
 * the .npmrc files (the package's scope registry, then `registry`), else the local default.
 * Token: options, FW_TOKEN, the keychain secret `registry:<host>`, then .npmrc's
 * `//host/path/:_authToken` (walking up the path). Each answer is remembered.
 * @example
 * const config = new RegistryConfig({ env: process.env });
 * const registry = config.registryFor('@acme/cli');  // e.g. 'https://npm.acme.dev/team'
 * const token = await config.tokenFor(registry);     // from the first source that has one
 */
export class RegistryConfig {
  private rc: Npmrc | undefined;
  private readonly tokens = new Map<string, Promise<{ token: string | null; source: Source | null }>>();
  private readonly env: Record<string, string | undefined>;

  constructor(private readonly options: RegistryConfigOptions = {}) {
    this.env = options.env ?? process.env;
  }

  private npmrc(): Npmrc {
    this.rc ??= loadNpmrc(npmrcFiles(this.options.cwd ?? process.cwd(), this.options.home ?? homeDir(this.env), this.env), this.env);
    return this.rc;
  }

  /** The registry for a package name, and where it came from. */
  registryWithSource(name: string): { registry: string; source: Source } {
    return chooseRegistry(name, this.options.registry, this.env, () => this.npmrc());
  }

  registryFor(name: string): string {
    return this.registryWithSource(name).registry;
  }

  /** The token for a registry, and where it came from (null, null when no source has one). */
  tokenWithSource(registry: string): Promise<{ token: string | null; source: Source | null }> {
    let found = this.tokens.get(registry);
    if (!found) {
      found = this.lookup(registry);
      this.tokens.set(registry, found);
    }
    return found;
  }

  async tokenFor(registry: string): Promise<string | null> {
    return (await this.tokenWithSource(registry)).token;
  }

  /**
   * The token to send with a request to `url`: the registry's token when the URL lies under the
   * registry (origin and path prefix), else only what .npmrc has for that URL, so a tarball on
   * another host never receives the registry's token.
   */
  async tokenForUrl(registry: string, url: string): Promise<string | null> {
    if (url === registry || url.startsWith(`${registry}/`)) return this.tokenFor(registry);
    return tokenFromNpmrc(this.npmrc(), url);
  }

  private async lookup(registry: string): Promise<{ token: string | null; source: Source | null }> {
    if (this.options.token) return { token: this.options.token, source: 'options' };
    const env = this.env.FW_TOKEN?.trim();
    if (env) return { token: env, source: 'FW_TOKEN' };
    if (this.options.credentials) {
      // A keychain that cannot answer (no Secret Service, locked) is passed over like an empty one.
      const kept = await this.options.credentials(registry).catch(() => null);
      if (kept) return { token: kept, source: 'keychain' };
    }
    const rc = tokenFromNpmrc(this.npmrc(), `${registry}/`);
    return rc ? { token: rc, source: '.npmrc' } : { token: null, source: null };
  }
}
