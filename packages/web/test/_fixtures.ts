import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { addUser, publishBody, repoRoot } from '@factorywager/e2e';

/** Where screenshots go (gitignored, kept by CI as test artifacts). */
export const SCREENSHOTS = join(repoRoot, '.test-results', 'screenshots');

/** The launch flags that work for Debian's chromium as root, headless (FACTS.md). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A headless Chromium with a fresh profile; `close` stops it and removes the profile. */
export async function openBrowser(options: { javaScriptEnabled?: boolean; viewport?: { width: number; height: number }; isMobile?: boolean } = {}): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'fw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    ...(options.isMobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}

/** PUTs one version as `npm publish` does, with extra package.json fields (readme, dependencies, ...). */
export async function publishVersion(registry: string, token: string, name: string, version: string, extra: Record<string, unknown> = {}, tag = 'latest'): Promise<void> {
  const { body } = await publishBody(name, version, registry, extra);
  body['dist-tags'] = { [tag]: version };
  if (typeof extra.readme === 'string') body.readme = extra.readme;
  const res = await fetch(`${registry}/${name.replace('/', '%2f')}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`publish ${name}@${version}: ${res.status} ${await res.text()}`);
}

export { addUser };
