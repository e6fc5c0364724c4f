import type { ClientWorkspace } from '../workspace.ts';

export interface TokenInfo {
  key: string;
  readonly: boolean;
}

/**
 * What the scenario asks of a registry client. An operation the client has no command for is
 * left undefined, and the scenario registers no test for it (it says so in the suite's name).
 */
export interface RegistryClient {
  name: 'npm' | 'bun' | 'pnpm' | 'yarn1' | 'yarn4' | 'deno';
  /** The client name `fw registry setup` takes for it (both yarns are `yarn`). */
  setupAs: 'npm' | 'pnpm' | 'yarn' | 'bun' | 'deno';
  ws: ClientWorkspace;
  version(): Promise<string>;
  /** Creates the user (adduser) or logs in; the token lands in the workspace's .npmrc. */
  login?(user: string, password: string, email: string): Promise<void>;
  whoami?(): Promise<string>;
  publish?(dir: string, options?: { tag?: string }): Promise<void>;
  /** The packument (or one field of it) as JSON. */
  view?(spec: string, field?: string): Promise<any>;
  /** True when the client reads only its own config files (yarn 4), so it works once `registry setup` ran. */
  readsOnlyOwnConfig?: boolean;
  /** Settings a project needs before setup and install (yarn 4: the node-modules linker). */
  prepareProject?(dir: string): void;
  install(projectDir: string): Promise<void>;
  ping?(): Promise<void>;
  distTagAdd?(spec: string, tag: string): Promise<void>;
  distTagLs?(pkg: string): Promise<Record<string, string>>;
  distTagRm?(pkg: string, tag: string): Promise<void>;
  deprecate?(spec: string, message: string): Promise<void>;
  undeprecate?(spec: string): Promise<void>;
  unpublish?(spec: string, options?: { force?: boolean }): Promise<void>;
  search?(query: string): Promise<string[]>;
  audit?(projectDir: string): Promise<void>;
  tokenCreate?(password: string, options?: { readOnly?: boolean }): Promise<string>;
  tokenList?(): Promise<TokenInfo[]>;
  tokenRevoke?(key: string): Promise<void>;
  /** `owner ls`: one `name <email>` line per maintainer. */
  ownerLs?(pkg: string): Promise<string[]>;
  ownerAdd?(user: string, pkg: string): Promise<void>;
  ownerRm?(user: string, pkg: string): Promise<void>;
  /** `profile get --json`. */
  profileGet?(): Promise<Record<string, unknown>>;
  /** `profile set password`, answering the prompts for the current and the new password. */
  profileSetPassword?(current: string, next: string): Promise<void>;
  /** `access list packages [user|scope] --json`: package -> read-write / read-only. */
  accessListPackages?(entity?: string): Promise<Record<string, string>>;
  /** `access list collaborators <pkg> --json`: user -> read-write. */
  accessListCollaborators?(pkg: string): Promise<Record<string, string>>;
  star?(pkg: string): Promise<void>;
  unstar?(pkg: string): Promise<void>;
  /** `stars [user]`: the starred package names. */
  stars?(user?: string): Promise<string[]>;
}

/** A client with whoami, publish and view (npm, pnpm, bun), as other suites use them to set up. */
export type FullClient = RegistryClient & Required<Pick<RegistryClient, 'whoami' | 'publish' | 'view'>>;

/** Parses `tag: version` lines as npm and pnpm print them for `dist-tag ls`. */
export function parseDistTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(\S+)\s*$/.exec(line);
    if (m) tags[m[1]!] = m[2]!;
  }
  return tags;
}
