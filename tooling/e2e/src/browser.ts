import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { repoRoot } from './registry-process.ts';

/** Where screenshots go (gitignored, kept by CI as test artifacts). */
export const SCREENSHOTS = join(repoRoot, '.test-results', 'screenshots');

/** The launch flags that work for Debian's chromium as root, headless (FACTS.md). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * A headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) with a fresh profile;
 * `close` stops it and removes the profile.
 * @example
 * const browser = await openBrowser();
 * const page = await browser.context.newPage();
 * await browser.close();
 */
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

/** The path of a screenshot file named `name` under {@link SCREENSHOTS}. */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}
