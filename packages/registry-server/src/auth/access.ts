import picomatch from 'picomatch/posix.js';
import type { PackageRule } from '../config/types.ts';
import type { PackageAction, Principal } from './types.ts';

const cache = new Map<string, (name: string) => boolean>();

/**
 * Matches a package name against a rule pattern with picomatch (as Verdaccio does with minimatch):
 * `**` matches any name, scoped or not; `*` any run of characters except `/`; braces and classes work.
 * @example
 * matchPackagePattern('@acme/*', '@acme/ui'); // true
 * matchPackagePattern('*', '@acme/ui');       // false
 */
export function matchPackagePattern(pattern: string, name: string): boolean {
  let matcher = cache.get(pattern);
  if (!matcher) {
    matcher = picomatch(pattern, { dot: true });
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, matcher);
  }
  return matcher(name);
}

/** True when one of `grantees` names this principal (or a group it belongs to). */
function granted(grantees: readonly string[], principal: Principal | null): boolean {
  for (const g of grantees) {
    if (g === '$all') return true;
    if (g === '$anonymous' && principal === null) return true;
    if (principal === null) continue;
    if (g === '$authenticated' || g === principal.name || principal.roles.includes(g)) return true;
  }
  return false;
}

/**
 * Decides `action` on `pkg` with ordered rules: the first rule whose pattern matches decides; no rule
 * means no. A read-only token may only `access`.
 * @example
 * const rules = [{ pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['admin'] }];
 * checkAccess(rules, null, 'access', 'left-pad');   // true
 * checkAccess(rules, null, 'publish', 'left-pad');  // false
 */
export function checkAccess(rules: readonly PackageRule[], principal: Principal | null, action: PackageAction, pkg: string): boolean {
  if (principal?.readOnly && action !== 'access') return false;
  const rule = rules.find((r) => matchPackagePattern(r.pattern, pkg));
  if (!rule) return false;
  return granted(rule[action], principal);
}
