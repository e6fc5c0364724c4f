// The web UI in real headless Chromium (Debian's package, driven by playwright-core) against the
// real registry process: list, search, package page, graph, log in, roll back, history; screenshots.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startRegistry, type RegistryProcess } from '@factorywager/e2e';
import { addUser, contrastFailures, openBrowser, publishVersion, screenshotPath, unlabelledControls } from './_fixtures.ts';


const UI = '@acme/ui';
const UI_VERSIONS = ['1.0.0', '1.1.0', '1.2.0', '2.0.0-beta.1', '2.0.0', '2.1.0'];
const PASSWORD = 'correct horse battery';

let registry: RegistryProcess;
let token: string;

const README = `# @acme/ui

Buttons, dialogs and **forms** for Acme apps.

\`\`\`js
import { Button } from '@acme/ui';
\`\`\`

| prop | type |
|------|------|
| kind | \`'primary' \\| 'secondary'\` |
`;

beforeAll(async () => {
  registry = await startRegistry();
  token = await addUser(registry.url, 'ana', PASSWORD);
  for (const [i, v] of UI_VERSIONS.entries()) {
    await publishVersion(registry.url, token, UI, v, {
      description: 'Buttons, dialogs and forms for Acme apps',
      license: 'MIT',
      readme: `${README}\nThis is version ${v}.\n`,
      dependencies: i > 1 ? { 'acme-tokens': '^1.0.0' } : {},
    }, v.includes('-') ? 'next' : 'latest');
  }
  await publishVersion(registry.url, token, 'acme-tokens', '1.0.0', { description: 'Design tokens: colours, spacing, type scale', license: 'Apache-2.0', keywords: ['design', 'tokens'] });
  await publishVersion(registry.url, token, 'acme-app', '0.3.0', { description: 'The Acme storefront', dependencies: { '@acme/ui': '^2.0.0', 'acme-tokens': '^1.0.0' } });
  for (const n of ['billing', 'auth-client', 'logger', 'feature-flags', 'http-retry', 'date-utils']) {
    await publishVersion(registry.url, token, `@acme/${n}`, '1.0.0', { description: `Acme ${n.replace('-', ' ')} helpers`, license: 'MIT' });
  }
  // deprecate one version through the API, as npm deprecate does
  const doc = await (await fetch(`${registry.url}/@acme%2fui?write=true`, { headers: { authorization: `Bearer ${token}` } })).json();
  doc.versions['1.0.0'].deprecated = 'use 1.1.0 or later';
  await fetch(`${registry.url}/@acme%2fui`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(doc) });
});

afterAll(async () => {
  await registry?.stop();
});

/** Fails the test on any script error, dialog (alert) or request that leaves 127.0.0.1. */
function guard(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
  page.on('request', (r) => { if (!r.url().startsWith(registry.url) && !r.url().startsWith('data:')) problems.push(`outside request: ${r.url()}`); });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  return problems;
}

describe('web UI in Chromium', () => {
  it('lists, searches as you type, opens a package whose graph has a node per version, logs in, rolls back and shows it', async () => {
    const browser = await openBrowser();
    try {
      const page = await browser.context.newPage();
      const problems = guard(page);

      // the list
      await page.goto(`${registry.url}/`);
      expect(await page.title()).toBe('Packages · FactoryWager Registry');
      const names = await page.locator('.package-row .name').allTextContents();
      expect(names).toEqual([...names].sort());
      expect(names).toEqual(expect.arrayContaining([UI, 'acme-tokens', 'acme-app', '@acme/billing']));
      expect(await page.locator('#result-count').textContent()).toContain('9 packages');
      await page.screenshot({ path: screenshotPath('list-desktop'), fullPage: true });

      // search as you type (the script fetches the server's results and swaps them in)
      await page.locator('#q').pressSequentially('token');
      await expect.poll(() => page.locator('.package-row .name').allTextContents()).toEqual(['acme-tokens']);
      expect(new URL(page.url()).searchParams.get('q')).toBe('token');
      await page.locator('#q').fill('');
      await page.locator('#q').pressSequentially('keywords:design');
      await expect.poll(() => page.locator('.package-row .name').allTextContents()).toEqual(['acme-tokens']);

      // open a package from a search
      await page.locator('#q').fill('');
      await page.locator('#q').pressSequentially('dialogs');
      await expect.poll(() => page.locator('.package-row .name').allTextContents()).toEqual([UI]);
      await page.locator('.package-row .name', { hasText: UI }).click();
      await page.waitForURL(`${registry.url}/package/@acme/ui`);
      expect(await page.locator('.pkg-head h1').textContent()).toContain('@acme/ui');
      expect(await page.locator('.readme h1').textContent()).toBe('@acme/ui');
      expect(await page.locator('.readme').textContent()).toContain('This is version 2.1.0.');

      // the graph: one node per version, as many as the registry has and the table shows
      const packument = await (await fetch(`${registry.url}/@acme%2fui`)).json();
      const versions = Object.keys(packument.versions);
      expect(versions).toHaveLength(UI_VERSIONS.length);
      expect(await page.locator('svg.fw-graph .fw-node').count()).toBe(versions.length);
      expect((await page.locator('svg.fw-graph .fw-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-version')))).sort()).toEqual([...versions].sort());
      expect(await page.locator('#versions-table tbody tr').count()).toBe(versions.length);
      expect(await page.locator('svg.fw-graph .fw-status-current').getAttribute('data-version')).toBe('2.1.0');
      expect(await page.locator('svg.fw-graph .fw-status-deprecated').getAttribute('data-version')).toBe('1.0.0');
      await page.screenshot({ path: screenshotPath('package-desktop'), fullPage: true });
      // zoom (script): the picture grows
      const w0 = Number(await page.locator('svg.fw-graph').getAttribute('width'));
      await page.getByRole('button', { name: 'Zoom in' }).click();
      expect(Number(await page.locator('svg.fw-graph').getAttribute('width'))).toBeGreaterThan(w0);
      // dependencies and dependents
      expect(await page.locator('#dependencies .dep-list a').first().textContent()).toContain('acme-tokens');
      expect(await page.locator('#dependents a').allTextContents()).toEqual(['acme-app']);
      // install commands for every client
      const install = await page.locator('#install code[data-copy]').allTextContents();
      expect(install).toEqual(['npm install @acme/ui', 'pnpm add @acme/ui', 'yarn add @acme/ui', 'bun add @acme/ui', 'deno add npm:@acme/ui']);
      expect(await page.locator('#dist-tags [data-tag="latest"] .to').textContent()).toBe('2.1.0');
      expect(await page.locator('#dist-tags [data-tag="next"] .to').textContent()).toBe('2.0.0-beta.1');
      // no action buttons before logging in
      expect(await page.locator('[data-rollback]').count()).toBe(0);

      // log in with the npm login credentials
      await page.getByRole('link', { name: 'Log in' }).click();
      await page.getByLabel('User name').fill('ana');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${registry.url}/package/@acme/ui`);
      expect(await page.locator('.account').textContent()).toContain('Signed in as ana');

      // roll back latest to 1.2.0 in the dialog, with a reason
      await page.locator('#versions-table tr[data-version="1.2.0"] [data-rollback]').click();
      const dialog = page.locator('#rollback-dialog');
      await expect.poll(() => dialog.isVisible()).toBe(true);
      expect(await dialog.locator('[data-rollback-version]').textContent()).toBe('1.2.0');
      await dialog.getByLabel(/Reason/).fill('2.x breaks the checkout form');
      await dialog.getByRole('button', { name: 'Roll back' }).click();
      await page.locator('.flash.ok', { hasText: 'Rolled back' }).waitFor();
      expect(page.url()).toBe(`${registry.url}/package/@acme/ui`);
      expect(await page.locator('.flash.ok').textContent()).toContain('latest now points at 1.2.0');
      expect(await page.locator('#dist-tags [data-tag="latest"] .to').textContent()).toBe('1.2.0');
      expect(await page.locator('svg.fw-graph .fw-status-current').getAttribute('data-version')).toBe('1.2.0');
      // ... in the registry
      expect((await (await fetch(`${registry.url}/-/package/@acme%2fui/dist-tags`)).json()).latest).toBe('1.2.0');
      // ... and in the history, newest first
      const first = page.locator('#history-table tbody tr').first();
      expect(await first.getAttribute('data-event')).toBe('rollback');
      expect(await first.textContent()).toContain('2.1.0 → 1.2.0');
      expect(await first.textContent()).toContain('2.x breaks the checkout form');
      expect(await first.textContent()).toContain('ana');
      const api = await (await fetch(`${registry.url}/-/fw/history?package=@acme/ui&limit=1`)).json();
      expect(api.events[0]).toMatchObject({ type: 'rollback', actor: 'ana', tag: 'latest', to: '1.2.0', reason: '2.x breaks the checkout form' });
      await page.screenshot({ path: screenshotPath('package-after-rollback-desktop'), fullPage: false });

      // accessible: every control named, contrast AA in light and dark (which follow the system)
      expect(await unlabelledControls(page)).toEqual([]);
      expect(await contrastFailures(page)).toEqual([]);
      const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(lightBg);
      expect(await contrastFailures(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath('package-dark-desktop'), fullPage: false });
      await page.goto(`${registry.url}/`);
      expect(await contrastFailures(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath('list-dark-desktop'), fullPage: false });
      await page.emulateMedia({ colorScheme: 'light' });
      expect(await contrastFailures(page)).toEqual([]);

      // keyboard: the skip link comes first, then the brand, the account link and the search; Enter on a focused result opens it
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
      await page.locator('.package-row .name', { hasText: 'acme-tokens' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(`${registry.url}/package/acme-tokens`);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('works at phone width, and without JavaScript', async () => {
    const phone = await openBrowser({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      const page = await phone.context.newPage();
      // the checkers catch what they look for
      await page.setContent('<p style="color:#bbb;background:#fff">faint</p><label>named <input name="a"></label><input name="b">');
      expect(await contrastFailures(page)).toHaveLength(1);
      expect(await unlabelledControls(page)).toEqual(['input[name=b]']);
      const problems = guard(page);
      await page.goto(`${registry.url}/`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      await page.screenshot({ path: screenshotPath('list-phone'), fullPage: true });
      await page.goto(`${registry.url}/package/@acme/ui`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: screenshotPath('package-phone'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await phone.close();
    }

    const noJs = await openBrowser({ javaScriptEnabled: false });
    try {
      const page = await noJs.context.newPage();
      await page.goto(`${registry.url}/`);
      await page.locator('#q').fill('billing');
      await page.locator('.search-form button[type="submit"]').click();
      await page.waitForURL(/\?q=billing$/);
      expect(await page.locator('.package-row .name').allTextContents()).toEqual(['@acme/billing']);
      await page.goto(`${registry.url}/package/@acme/ui/v/1.1.0`);
      expect(await page.locator('.readme').textContent()).toContain('This is version 1.1.0.');
      expect(await page.locator('svg.fw-graph .fw-node').count()).toBe(UI_VERSIONS.length);
      // log in and roll back through the confirmation page: no script needed
      await page.goto(`${registry.url}/-/web/login?next=/package/@acme/ui`);
      await page.getByLabel('User name').fill('ana');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${registry.url}/package/@acme/ui`);
      await page.locator('#versions-table tr[data-version="1.1.0"] [data-rollback]').click();
      await page.waitForURL(/\/-\/web\/rollback\?/);
      await page.getByRole('button', { name: 'Roll back' }).click();
      await page.waitForURL(`${registry.url}/package/@acme/ui`);
      expect(await page.locator('#dist-tags [data-tag="latest"] .to').textContent()).toBe('1.1.0');
      expect((await (await fetch(`${registry.url}/-/package/@acme%2fui/dist-tags`)).json()).latest).toBe('1.1.0');
    } finally {
      await noJs.close();
    }
  });
});
