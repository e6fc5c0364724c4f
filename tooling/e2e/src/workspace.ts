import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A client's private world: HOME with its .npmrc, caches and project folders, all in one temp folder. */
export interface ClientWorkspace {
  root: string;
  home: string;
  npmrc: string;
  cache: string;
  registry: string;
  /** Environment every client command runs with. */
  env: Record<string, string>;
  /** A new empty folder under the workspace. */
  dir(name: string): string;
  remove(): void;
}

export function createWorkspace(registry: string): ClientWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'fw-e2e-client-'));
  const home = join(root, 'home');
  const cache = join(root, 'cache');
  mkdirSync(home, { recursive: true });
  mkdirSync(cache, { recursive: true });
  const npmrc = join(home, '.npmrc');
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  writeFileSync(npmrc, `registry=${base}\n`);
  const env: Record<string, string> = {
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(cache, 'xdg'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_STATE_HOME: join(home, '.local/state'),
    npm_config_userconfig: npmrc,
    npm_config_cache: join(cache, 'npm'),
    npm_config_registry: base,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_loglevel: 'warn',
    NPM_CONFIG_REGISTRY: base,
    BUN_INSTALL_CACHE_DIR: join(cache, 'bun'),
    BUN_CONFIG_REGISTRY: base,
    DO_NOT_TRACK: '1',
    NO_COLOR: '1',
    CI: 'true',
  };
  return {
    root,
    home,
    npmrc,
    cache,
    registry: base,
    env,
    dir(name) {
      const path = join(root, name);
      mkdirSync(path, { recursive: true });
      return path;
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
