/** @internal ANSI styling, a no-op when colour is off. */
export type Paint = (style: keyof typeof CODES, text: string) => string;

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90 } as const;

/** @internal */
export function painter(color: boolean | undefined): Paint {
  return color ? (style, text) => `\u001b[${CODES[style]}m${text}\u001b[0m` : (_style, text) => text;
}

/** `2024-01-31` from an ISO date; other text as given. @internal */
export function shortDate(value: string | null | undefined): string {
  if (!value) return '';
  return /^\d{4}-\d{2}-\d{2}T/.test(value) ? value.slice(0, 10) : printable(value);
}

/** Text from data (a packument, a history) without control characters, so it cannot drive the terminal. @internal */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

/** One line, at most `max` characters, printable. @internal */
export function oneLine(text: string, max: number): string {
  const flat = printable(text.replace(/\s+/g, ' ')).trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
