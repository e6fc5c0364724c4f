import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, breaks: false, async: false });

const ALLOWED_TAGS = [
  ...sanitizeHtml.defaults.allowedTags,
  'img', 'h1', 'h2', 'details', 'summary', 'del', 'ins', 'kbd', 'sup', 'sub', 'input',
];

/** Options of {@link renderMarkdown}. */
export interface MarkdownOptions {
  /** Origin of the page: images from elsewhere become links (the page's CSP would block them). */
  origin?: string;
}

/**
 * A README as safe HTML: markdown parsed by marked (GitHub flavour), then sanitized by sanitize-html
 * with an allow-list: no scripts, styles, frames, forms or event handler attributes; links only
 * http(s), mailto and in-page anchors, with `rel="nofollow noopener noreferrer"`; images only from
 * this origin or `data:` (others become a link to the image, since the page's Content-Security-Policy
 * does not load them); task-list checkboxes stay as disabled checkboxes.
 * @example
 * renderMarkdown('# Hi <script>alert(1)</script> [x](javascript:alert(1))');
 * // '<h1>Hi </h1>\n<p><a rel="nofollow noopener noreferrer">x</a></p>' (roughly)
 */
export function renderMarkdown(markdown: string, options: MarkdownOptions = {}): string {
  const unsafe = marked.parse(markdown, { async: false });
  return sanitizeHtml(unsafe, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ['href', 'name', 'title', 'rel', 'class'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      code: ['class'],
      th: ['align'],
      td: ['align'],
      input: ['type', 'checked', 'disabled'],
      ol: ['start'],
    },
    allowedClasses: { code: [/^language-[\w-]+$/], a: ['readme-image-link'], span: ['readme-image-link'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    exclusiveFilter: (frame) => frame.tag === 'input' && frame.attribs.type !== 'checkbox',
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener noreferrer' } }),
      input: (tagName, attribs) => ({ tagName, attribs: { ...attribs, disabled: '' } }),
      img: (tagName, attribs): sanitizeHtml.Tag => {
        const src = attribs.src ?? '';
        if (src.startsWith('data:image/') || (options.origin && sameOrigin(src, options.origin))) return { tagName, attribs };
        // An image the page cannot load (other origin, relative to a repository): a link to it.
        const text = attribs.alt || attribs.title || 'image';
        return /^https?:\/\//i.test(src)
          ? { tagName: 'a', attribs: { href: src, rel: 'nofollow noopener noreferrer', class: 'readme-image-link' }, text: `Image: ${text}` }
          : { tagName: 'span', attribs: { class: 'readme-image-link' } as sanitizeHtml.Attributes, text: `Image: ${text}` };
      },
    },
  });
}

function sameOrigin(src: string, origin: string): boolean {
  try {
    return /^https?:\/\//i.test(src) && new URL(src).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}
