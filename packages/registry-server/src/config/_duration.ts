const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_557_600 };

/**
 * Parses a duration such as `30d`, `12h`, `90m`, `45s` or a bare number of seconds into seconds;
 * null when it is not one.
 */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+)\s*([smhdwy]?)\s*$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]) * UNITS[m[2] || 's']!;
  return n > 0 && Number.isSafeInteger(n) ? n : null;
}
