// FactoryWager Registry web UI: progressive enhancement only. Every page works without this file:
// search is a form, the graph scrolls, rollback has its own confirmation page.
(() => {
  'use strict';

  // Search as you type: the server renders the results; we swap them in and keep the URL in step.
  function enhanceSearch() {
    const form = document.querySelector('form[data-live-search]');
    const results = document.getElementById('results');
    if (!form || !results) return;
    const input = form.querySelector('input[name="q"]');
    let timer = 0;
    let seq = 0;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = input.value.trim();
        const url = new URL(form.action, location.href);
        if (q) url.searchParams.set('q', q);
        const mine = ++seq;
        const partial = new URL(url);
        partial.searchParams.set('partial', '1');
        try {
          const res = await fetch(partial, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
          if (!res.ok || mine !== seq) return;
          results.innerHTML = await res.text();
          history.replaceState(null, '', url);
          results.setAttribute('aria-busy', 'false');
        } catch { /* offline: the form still submits */ }
      }, 150);
      results.setAttribute('aria-busy', 'true');
    });
  }

  // Zoom and pan of the version graph: buttons, keyboard (+, -, 0, arrows), wheel with Ctrl, drag.
  function enhanceGraph() {
    for (const box of document.querySelectorAll('[data-graph]')) {
      const viewport = box.querySelector('.graph-viewport');
      const svg = viewport && viewport.querySelector('svg');
      const tools = box.querySelector('.graph-tools');
      if (!svg || !tools) continue;
      const w0 = Number(svg.getAttribute('width'));
      const h0 = Number(svg.getAttribute('height'));
      let scale = 1;
      const zoom = (next, cx, cy) => {
        const s = Math.min(3, Math.max(0.15, next));
        const rect = viewport.getBoundingClientRect();
        const px = (cx ?? rect.width / 2) + viewport.scrollLeft;
        const py = (cy ?? rect.height / 2) + viewport.scrollTop;
        const k = s / scale;
        scale = s;
        svg.setAttribute('width', String(Math.round(w0 * s)));
        svg.setAttribute('height', String(Math.round(h0 * s)));
        viewport.scrollLeft = px * k - (cx ?? rect.width / 2);
        viewport.scrollTop = py * k - (cy ?? rect.height / 2);
        out.textContent = `${Math.round(s * 100)}%`;
      };
      const button = (label, text, fn) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'secondary small';
        b.textContent = text;
        b.setAttribute('aria-label', label);
        b.addEventListener('click', fn);
        tools.insertBefore(b, tools.querySelector('.hint'));
        return b;
      };
      button('Zoom in', '+', () => zoom(scale * 1.25));
      button('Zoom out', '−', () => zoom(scale / 1.25));
      button('Reset zoom', 'Reset', () => zoom(1));
      const out = document.createElement('output');
      out.className = 'muted';
      out.textContent = '100%';
      tools.insertBefore(out, tools.querySelector('.hint'));
      const hint = tools.querySelector('.hint');
      if (hint) hint.textContent = 'Drag to pan · Ctrl + wheel or + / − to zoom';
      viewport.addEventListener('wheel', (e) => {
        if (!e.ctrlKey && !e.metaKey) return;
        e.preventDefault();
        const r = viewport.getBoundingClientRect();
        zoom(scale * (e.deltaY < 0 ? 1.15 : 1 / 1.15), e.clientX - r.left, e.clientY - r.top);
      }, { passive: false });
      viewport.addEventListener('keydown', (e) => {
        if (e.target !== viewport) return;
        if (e.key === '+' || e.key === '=') zoom(scale * 1.25);
        else if (e.key === '-') zoom(scale / 1.25);
        else if (e.key === '0') zoom(1);
        else return;
        e.preventDefault();
      });
      let drag = null;
      viewport.addEventListener('pointerdown', (e) => {
        if (e.button !== 0 || e.target.closest('a')) return;
        drag = { x: e.clientX, y: e.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
        viewport.setPointerCapture(e.pointerId);
        viewport.classList.add('dragging');
      });
      viewport.addEventListener('pointermove', (e) => {
        if (!drag) return;
        viewport.scrollLeft = drag.left - (e.clientX - drag.x);
        viewport.scrollTop = drag.top - (e.clientY - drag.y);
      });
      const end = () => { drag = null; viewport.classList.remove('dragging'); };
      viewport.addEventListener('pointerup', end);
      viewport.addEventListener('pointercancel', end);
    }
  }

  // Rollback in a dialog: the links lead to a confirmation page; with scripts the same form opens here.
  function enhanceRollback() {
    const dialog = document.getElementById('rollback-dialog');
    if (!dialog || typeof dialog.showModal !== 'function') return;
    const form = dialog.querySelector('form');
    document.addEventListener('click', (e) => {
      const link = e.target.closest && e.target.closest('a[data-rollback]');
      if (!link) return;
      e.preventDefault();
      const version = link.getAttribute('data-rollback');
      form.querySelector('input[name="version"]').value = version;
      for (const el of dialog.querySelectorAll('[data-rollback-version]')) el.textContent = version;
      form.querySelector('textarea[name="reason"]').value = '';
      dialog.showModal();
      form.querySelector('textarea[name="reason"]').focus();
    });
    dialog.querySelector('[data-close]').addEventListener('click', () => dialog.close());
  }

  // Copy buttons for the install commands.
  function enhanceCopy() {
    if (!navigator.clipboard) return;
    for (const code of document.querySelectorAll('[data-copy]')) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary copy';
      b.textContent = 'Copy';
      b.setAttribute('aria-label', `Copy ${code.textContent}`);
      b.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(code.textContent);
          b.textContent = 'Copied';
          setTimeout(() => { b.textContent = 'Copy'; }, 1500);
        } catch { /* not allowed: the text is selectable */ }
      });
      code.parentElement.appendChild(b);
    }
  }

  function init() {
    enhanceSearch();
    enhanceGraph();
    enhanceRollback();
    enhanceCopy();
    document.documentElement.setAttribute('data-ready', String(Math.round(performance.now())));
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
