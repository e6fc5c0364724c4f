// Mermaid's own parser under a happy-dom DOM shim (mermaid needs window/document for DOMPurify).
import { Window } from 'happy-dom';

let loaded: Promise<{ parse: (text: string) => Promise<unknown> }> | undefined;

export function mermaidParser() {
  loaded ??= (async () => {
    const window = new Window();
    const g = globalThis as Record<string, unknown>;
    for (const key of ['window', 'document', 'navigator', 'DOMParser', 'Element', 'HTMLElement', 'SVGElement', 'Node', 'MutationObserver']) {
      if (!(key in g)) g[key] = key === 'window' ? window : (window as unknown as Record<string, unknown>)[key];
    }
    const { default: mermaid } = await import('mermaid');
    mermaid.initialize({ startOnLoad: false, maxTextSize: 10_000_000, maxEdges: 100_000 });
    return mermaid;
  })();
  return loaded;
}
