import type { Packument } from './packument.ts';

/** One entry of a packument's `maintainers`, as `npm owner ls` prints it: `name <email>`. */
export interface Maintainer {
  name: string;
  email?: string;
}

const isMaintainer = (m: unknown): m is Maintainer =>
  typeof m === 'object' && m !== null && typeof (m as Maintainer).name === 'string' && (m as Maintainer).name.length > 0;

/**
 * The maintainers of a packument. A packument written before maintainers were kept (or one fully
 * unpublished before they survived unpublish) has none stored: its maintainer is then the publisher
 * (`_npmUser`) of its earliest version. Empty when neither is known (see PackageService.maintainers
 * for the history fallback).
 * @example
 * maintainersOf(doc); // [{ name: 'ana', email: 'ana@example.com' }]
 */
export function maintainersOf(doc: Packument | null): Maintainer[] {
  if (!doc) return [];
  if (Array.isArray(doc.maintainers)) {
    const stored = doc.maintainers.filter(isMaintainer).map((m) => ({ name: m.name, ...(typeof m.email === 'string' && m.email ? { email: m.email } : {}) }));
    if (stored.length) return stored;
  }
  const when = (v: string) => String(doc.time?.[v] ?? '');
  const earliest = Object.keys(doc.versions ?? {}).sort((a, b) => when(a).localeCompare(when(b)));
  for (const v of earliest) {
    const user = doc.versions[v]?._npmUser;
    if (isMaintainer(user)) return [{ name: user.name, ...(typeof user.email === 'string' && user.email ? { email: user.email } : {}) }];
  }
  return [];
}

/**
 * The document with its maintainers filled in for serving (legacy packuments get the derived ones).
 * @example
 * withMaintainers(doc).maintainers;
 */
export function withMaintainers(doc: Packument): Packument {
  if (Array.isArray(doc.maintainers) && doc.maintainers.length) return doc;
  const derived = maintainersOf(doc);
  return derived.length ? { ...doc, maintainers: derived } : doc;
}

/**
 * Checks a new maintainer list from `npm owner add/rm` against the current one. Returns the names
 * added and removed; throws a message when nothing would be left.
 * @example
 * diffMaintainers([{ name: 'ana' }], ['ana', 'bob']); // { added: ['bob'], removed: [] }
 */
export function diffMaintainers(current: readonly Maintainer[], next: readonly string[]): { added: string[]; removed: string[] } {
  const now = new Set(current.map((m) => m.name));
  const wanted = new Set(next);
  return {
    added: [...wanted].filter((n) => !now.has(n)),
    removed: [...now].filter((n) => !wanted.has(n)),
  };
}
