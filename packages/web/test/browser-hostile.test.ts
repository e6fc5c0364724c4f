// Hostile content renders inert in real Chromium, and forms without their CSRF token are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RegistryProcess } from '@factorywager/e2e';
import { addUser, openBrowser, publishVersion } from './_fixtures.ts';

const PASSWORD = 'correct horse battery';
let registry: RegistryProcess;
let token: string;

const HOSTILE_README = `# Hostile readme

<script>window.__pwned = 'script'</script>
<img src="x" onerror="window.__pwned = 'img onerror'">
<a href="javascript:window.__pwned='link'" id="js-link">click me</a>
[markdown link](javascript:window.__pwned='md')
<a href="JaVaScRiPt&#58;window.__pwned='entity'">entity link</a>
<a href=" javascript:window.__pwned='space'">space link</a>
<div onclick="window.__pwned='onclick'" onmouseover="window.__pwned='hover'" id="hover-me">hover me</div>
<svg><script>window.__pwned='svg script'</script><a xlink:href="javascript:window.__pwned='svg link'"><text>svg link</text></a><animate onbegin="window.__pwned='animate'"/></svg>
<iframe src="javascript:window.__pwned='iframe'"></iframe>
<form action="javascript:window.__pwned='form'"><button id="form-button">go</button></form>
<style>body { display: none }</style>
<object data="javascript:window.__pwned='object'"></object>
<embed src="javascript:window.__pwned='embed'">
<details open ontoggle="window.__pwned='toggle'"><summary>details</summary>inside</details>
<input autofocus onfocus="window.__pwned='focus'">
<meta http-equiv="refresh" content="0;url=javascript:window.__pwned='meta'">
<base href="javascript:alert(1)//">
<p style="background:url(javascript:alert(1))">styled</p>
<a href="https://example.com/ok" target="_blank">a fine link</a>

- [x] a task list item
`;
const HOSTILE_DESCRIPTION = `<b onmouseover="window.__pwned='desc'">bold</b><script>window.__pwned='desc script'</script><img src=x onerror="window.__pwned='desc img'">`;

beforeAll(async () => {
  registry = await startRegistry();
  token = await addUser(registry.url, 'mallory', PASSWORD);
  await publishVersion(registry.url, token, 'hostile-pkg', '1.0.0', { description: HOSTILE_DESCRIPTION, keywords: ['<script>x</script>'] });
  await publishVersion(registry.url, token, 'hostile-pkg', '1.1.0', { description: HOSTILE_DESCRIPTION, readme: HOSTILE_README, homepage: "javascript:window.__pwned='homepage'", repository: { type: 'git', url: "javascript:window.__pwned='repo'" } });
});

afterAll(async () => {
  await registry?.stop();
});

describe('hostile content in Chromium', () => {
  it('a README with scripts, event handlers and javascript: links, and a description with HTML, render inert', async () => {
    const browser = await openBrowser();
    try {
      const page = await browser.context.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
      const response = await page.goto(`${registry.url}/package/hostile-pkg`);
      const csp = response!.headers()['content-security-policy'];
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'none'");
      expect(await page.locator('.readme h1').textContent()).toBe('Hostile readme');
      // interact with everything that could carry a handler
      await page.locator('.readme div', { hasText: 'hover me' }).hover();
      await page.locator('.readme div', { hasText: 'hover me' }).click();
      await page.locator('.readme details summary').click();
      await page.locator('.readme a', { hasText: 'click me' }).click();
      await page.locator('.pkg-head .desc').hover();

      const report = await page.evaluate(() => {
        const all = [...document.querySelectorAll('*')];
        return {
          pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
          scripts: [...document.scripts].map((s) => s.getAttribute('src')),
          handlers: all.flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName}.${a.name}`)),
          jsUrls: all.flatMap((el) => [...el.attributes].filter((a) => /^\s*javascript:/i.test(a.value) || /javascript:/i.test(decodeURIComponent(a.value))).map((a) => `${el.tagName}.${a.name}`)),
          dangerous: [...document.querySelectorAll('.readme iframe, .readme object, .readme embed, .readme form, .readme style, .readme meta, .readme base, .readme svg, .readme script, [style]')].map((e) => e.tagName),
          bodyVisible: getComputedStyle(document.body).display !== 'none',
          descriptionText: document.querySelector('.pkg-head .desc')?.textContent ?? '',
          descriptionChildren: document.querySelector('.pkg-head .desc')?.children.length ?? -1,
          readmeLinks: [...document.querySelectorAll('.readme a[href]')].map((a) => a.getAttribute('href')),
          url: location.href,
        };
      });
      expect(report.pwned).toBeNull();
      expect(dialogs).toEqual([]);
      expect(report.url).toBe(`${registry.url}/package/hostile-pkg`);
      expect(report.scripts).toHaveLength(1);
      expect(report.scripts[0]).toMatch(/^\/-\/web\/assets\/app\.[0-9a-f]{12}\.js$/);
      expect(report.handlers).toEqual([]);
      expect(report.jsUrls).toEqual([]);
      expect(report.dangerous).toEqual([]);
      expect(report.bodyVisible).toBe(true);
      // the description is text: its markup shows as characters and makes no elements
      expect(report.descriptionText).toBe(HOSTILE_DESCRIPTION);
      expect(report.descriptionChildren).toBe(0);
      expect(report.readmeLinks).toEqual(['https://example.com/ok']);
      expect(await page.locator('.readme input[type="checkbox"]').isDisabled()).toBe(true);

      // the list shows the same description as text
      await page.goto(`${registry.url}/?q=hostile`);
      expect(await page.locator('.package-row .desc').textContent()).toBe(HOSTILE_DESCRIPTION);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned ?? null)).toBeNull();
    } finally {
      await browser.close();
    }
  });

  it('refuses a rollback POST without its CSRF token, with a wrong one, or from another site', async () => {
    const browser = await openBrowser();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${registry.url}/-/web/login?next=/package/hostile-pkg`);
      await page.getByLabel('User name').fill('mallory');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${registry.url}/package/hostile-pkg`);
      const csrf = await page.locator('#rollback-dialog input[name="_csrf"]').inputValue();
      expect(csrf).toMatch(/^[0-9a-f]{64}$/);
      const latest = async () => (await (await fetch(`${registry.url}/-/package/hostile-pkg/dist-tags`)).json()).latest;
      expect(await latest()).toBe('1.1.0');

      // the browser's own cookies (session and CSRF cookie) go with these requests
      const post = (form: Record<string, string>, headers: Record<string, string> = {}) =>
        page.request.post(`${registry.url}/-/web/rollback`, { form, headers: { accept: 'text/html', ...headers }, maxRedirects: 0 });
      const base = { package: 'hostile-pkg', version: '1.0.0', tag: 'latest' };
      const without = await post(base);
      expect(without.status()).toBe(403);
      expect(await without.text()).toContain('CSRF');
      expect((await post({ ...base, _csrf: 'f'.repeat(64) })).status()).toBe(403);
      expect((await post({ ...base, _csrf: csrf }, { origin: 'https://evil.example' })).status()).toBe(403);
      // as JSON for a non-browser client
      const json = await page.request.post(`${registry.url}/-/web/rollback`, { form: base, headers: { accept: 'application/json' }, maxRedirects: 0 });
      expect(json.status()).toBe(403);
      expect(await json.json()).toEqual({ error: expect.stringContaining('CSRF') });
      expect(await latest()).toBe('1.1.0');

      // with the token the same request goes through
      const ok = await post({ ...base, _csrf: csrf });
      expect(ok.status()).toBe(303);
      expect(await latest()).toBe('1.0.0');
    } finally {
      await browser.close();
    }
  });
});
