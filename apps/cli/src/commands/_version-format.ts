import type { ParsedVersion, Recommendation } from '@factorywager/semver-graph';

const paint = (on: boolean, code: number, text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

/** Human output of `version parse`. */
export function formatParsed(p: ParsedVersion, color: boolean): string {
  const rows: Array<[string, string]> = [
    ['major', String(p.major)],
    ['minor', String(p.minor)],
    ['patch', String(p.patch)],
    ['prerelease', p.prerelease.length ? p.prerelease.join('.') : '-'],
    ['build', p.build.length ? p.build.join('.') : '-'],
  ];
  return [paint(color, 1, p.version), ...rows.map(([k, v]) => `  ${paint(color, 2, k.padEnd(10))} ${v}`)].join('\n');
}

/** Human output of `version compare`: `1.2.3 < 1.2.4`. */
export function formatComparison(a: string, b: string, result: -1 | 0 | 1): string {
  return `${a} ${result < 0 ? '<' : result > 0 ? '>' : '='} ${b}`;
}

/** Human output of `version recommend`: the next version, then every candidate. */
export function formatRecommendation(r: Recommendation, color: boolean): string {
  const rows = Object.entries(r.candidates).map(([bump, v]) => {
    const line = `  ${bump.padEnd(10)} ${v}`;
    return bump === r.bump ? paint(color, 32, `${line}  <-`) : paint(color, 2, line);
  });
  return [paint(color, 1, r.next), ...rows].join('\n');
}
