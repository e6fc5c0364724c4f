import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REGISTRY, RegistryConfig, normalizeRegistry } from '../src/config.ts';
import { tempDir } from './_registry.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A project folder (with package.json and .npmrc) inside a home with its own .npmrc. */
function world(projectRc: string, userRc: string) {
  const t = tempDir();
  cleanups.push(t.remove);
  const home = join(t.dir, 'home');
  const project = join(t.dir, 'project');
  const sub = join(project, 'src', 'deep');
  mkdirSync(home, { recursive: true });
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(project, 'package.json'), '{}');
  writeFileSync(join(project, '.npmrc'), projectRc);
  writeFileSync(join(home, '.npmrc'), userRc);
  return { home, cwd: sub };
}

describe('RegistryConfig', () => {
  it('registry: options, then REGISTRY_URL, then the project .npmrc over the user one, then the default', () => {
    const w = world('@acme:registry=https://proj.example/npm/\n', 'registry=https://user.example/\n@acme:registry=https://user-acme.example/\n');
    const at = (options: ConstructorParameters<typeof RegistryConfig>[0]) => new RegistryConfig({ ...w, ...options });
    expect(at({ registry: 'https://opt.example/x/', env: { REGISTRY_URL: 'https://env.example' } }).registryWithSource('@acme/a')).toEqual({ registry: 'https://opt.example/x', source: 'options' });
    expect(at({ env: { REGISTRY_URL: 'https://env.example/' } }).registryWithSource('@acme/a')).toEqual({ registry: 'https://env.example', source: 'REGISTRY_URL' });
    expect(at({ env: {} }).registryWithSource('@acme/a')).toEqual({ registry: 'https://proj.example/npm', source: '.npmrc' });
    expect(at({ env: {} }).registryFor('plain')).toBe('https://user.example');
    const bare = world('', '');
    expect(new RegistryConfig({ ...bare, env: {} }).registryWithSource('plain')).toEqual({ registry: DEFAULT_REGISTRY, source: 'default' });
  });

  it('token: options, FW_TOKEN, keychain, then .npmrc; the keychain is asked only when needed, once', async () => {
    const w = world('//r.example/team/:_authToken=rc-token\n', '');
    const asked: string[] = [];
    const credentials = async (registry: string) => (asked.push(registry), registry.includes('team') ? 'kc-token' : null);
    const cfg = (options: ConstructorParameters<typeof RegistryConfig>[0]) => new RegistryConfig({ ...w, credentials, ...options });
    expect(await cfg({ token: 'opt', env: { FW_TOKEN: 'env' } }).tokenWithSource('https://r.example/team')).toEqual({ token: 'opt', source: 'options' });
    expect(await cfg({ env: { FW_TOKEN: 'env' } }).tokenWithSource('https://r.example/team')).toEqual({ token: 'env', source: 'FW_TOKEN' });
    expect(asked).toEqual([]);
    const c = cfg({ env: {} });
    expect(await c.tokenWithSource('https://r.example/team')).toEqual({ token: 'kc-token', source: 'keychain' });
    expect(await c.tokenFor('https://r.example/team')).toBe('kc-token');
    expect(asked).toEqual(['https://r.example/team']);
    const noKeychain = new RegistryConfig({ ...w, env: {}, credentials: async () => null });
    expect(await noKeychain.tokenWithSource('https://r.example/team')).toEqual({ token: 'rc-token', source: '.npmrc' });
    const broken = new RegistryConfig({ ...w, env: {}, credentials: async () => { throw new Error('no Secret Service'); } });
    expect(await broken.tokenWithSource('https://r.example/team')).toEqual({ token: 'rc-token', source: '.npmrc' });
  });

  it("a tarball URL outside the registry never gets the registry's token", async () => {
    const w = world('//cdn.example/:_authToken=cdn-token\n', '');
    const c = new RegistryConfig({ ...w, env: { FW_TOKEN: 'registry-token' } });
    expect(await c.tokenForUrl('https://r.example/team', 'https://r.example/team/p/-/p-1.0.0.tgz')).toBe('registry-token');
    expect(await c.tokenForUrl('https://r.example/team', 'https://r.example/teamx/p.tgz')).toBeNull();
    expect(await c.tokenForUrl('https://r.example/team', 'https://cdn.example/p.tgz')).toBe('cdn-token');
  });

  it.each([['ftp://x'], ['not a url'], ['file:///etc']])('refuses registry %s', (raw) => {
    expect(() => normalizeRegistry(raw, 'REGISTRY_URL')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining('REGISTRY_URL') }));
  });
});
