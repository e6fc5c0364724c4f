// A minimal auto-escaping HTML template tag. Hand-written because the pages need a synchronous one
// with no runtime (hono/html's may return promises); every interpolated value is escaped unless it
// is already `Html` (made by this tag or by `raw` for sanitized markup).

/** Markup that is safe to insert as is. @internal */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an HTML text node or a quoted attribute. @internal */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\`` with every value escaped; arrays are joined; null, undefined and booleans vanish. @internal */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Markup that was sanitized already (the README) or built by the SVG renderer. @internal */
export const raw = (markup: string) => new Html(markup);
