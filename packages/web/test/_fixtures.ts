import { addUser, publishBody, repoRoot } from '@factorywager/e2e';

export { openBrowser, screenshotPath, SCREENSHOTS } from '@factorywager/e2e';

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

/**
 * Text whose contrast with its background is under WCAG AA (4.5:1, or 3:1 for large text), as
 * `tag.class "text" ratio`. The background is the first opaque one up the tree; text over images is
 * not judged. A small stand-in for an accessibility checker, in the page.
 */
export async function contrastFailures(page: import('playwright-core').Page): Promise<string[]> {
  return page.evaluate(() => {
    const parse = (c: string): number[] => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const ch = (v: number) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * ch(r!) + 0.7152 * ch(g!) + 0.0722 * ch(b!);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c[3] ?? 1) > 0.5) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set<Element>();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent?.trim()) continue;
      seen.add(el);
      if (el.closest('svg, .visually-hidden, [hidden], dialog:not([open])')) continue;
      const style = getComputedStyle(el);
      const rect = el.getBoundingClientRect();
      if (style.visibility === 'hidden' || rect.width === 0 || rect.height === 0) continue;
      const fg = parse(style.color);
      const [a, b] = [lum(fg), lum(background(el))].sort((x, y) => y - x);
      const ratio = (a! + 0.05) / (b! + 0.05);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) out.push(`${el.tagName.toLowerCase()}.${el.className} "${n.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
    }
    return out;
  });
}

/** Form controls without an accessible name (a label, aria-label or aria-labelledby). */
export async function unlabelledControls(page: import('playwright-core').Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll('input:not([type="hidden"]), select, textarea, button')]
    .filter((el) => {
      const e = el as HTMLInputElement;
      if (e.tagName === 'BUTTON') return !(e.textContent?.trim() || e.getAttribute('aria-label'));
      return !(e.labels?.length || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby'));
    })
    .map((el) => `${el.tagName.toLowerCase()}[name=${el.getAttribute('name')}]`));
}
