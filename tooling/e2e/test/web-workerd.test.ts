// The web UI inside the registry Worker in workerd: pages render (a README through marked and
// sanitize-html), the list comes from the package index over the R2 binding and marks uplink
// copies, assets are served. The package comes from an upstream on 127.0.0.1 through the proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type TestUpstream } from '../src/upstream.ts';
import { startWorkerdRegistry, type WorkerdRegistries } from '../src/workerd-registry.ts';

let upstream: TestUpstream;
let registry: WorkerdRegistries;
beforeAll(async () => {
  upstream = await startUpstream();
  await upstream.publish('worker-page', '1.0.0', { manifest: { description: 'a page in a Worker', readme: '# In a Worker\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) **bold**' } });
  // published upstream a minute ago: the release-age guard (a day by default) holds it back
  await upstream.publish('worker-page', '1.1.0', { publishedAt: new Date(Date.now() - 60_000) });
  registry = await startWorkerdRegistry({ upstream: upstream.url });
});
afterAll(async () => {
  await registry?.stop();
  await upstream?.stop();
});

describe('web UI in workerd', () => {
  it('shows a package with its sanitized README and its held-back upstream versions, lists it as an uplink copy, and serves the hashed assets', async () => {
    const page = await fetch(`${registry.url}/package/worker-page`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<h1>In a Worker</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('cached from upstream');
    expect(html.match(/class="fw-node /g)).toHaveLength(1);
    // the held-back upstream version is listed as such, with when it will be served
    expect(html).toContain('id="quarantine-table"');
    expect(html).toMatch(/<tr data-version="1\.1\.0"><td class="version">1\.1\.0<\/td>/);
    expect(html).toContain('(pending)');

    const list = await (await fetch(`${registry.url}/?q=worker`, { headers: { accept: 'text/html' } })).text();
    expect(list).toContain('href="/package/worker-page"');
    expect(list).toContain('cached from upstream');

    const css = /href="(\/-\/web\/assets\/app\.[0-9a-f]{12}\.css)"/.exec(html)![1]!;
    const asset = await fetch(`${registry.url}${css}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // npm clients still get JSON at /package/... (the packument of a package named "package")
    expect((await fetch(`${registry.url}/package/worker-page`)).headers.get('content-type')).toContain('application/json');
  });
});
