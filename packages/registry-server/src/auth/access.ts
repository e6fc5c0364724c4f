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

/** How a rule grants: not at all, through a group only, or to this user or one of its roles by name. */
type Grant = 'none' | 'group' | 'named';

function granted(grantees: readonly string[], principal: Principal | null): Grant {
  let out: Grant = 'none';
  for (const g of grantees) {
    if (principal !== null && (g === principal.name || principal.roles.includes(g))) return 'named';
    if (g === '$all' || (g === '$anonymous' && principal === null) || (g === '$authenticated' && principal !== null)) out = 'group';
  }
  return out;
}

// The first rule matching each name, per rule list (rules are fixed once loaded): every request asks,
// and the hot GETs should not run the globs each time. Bounded: cleared past 10,000 names.
const firstRules = new WeakMap<readonly PackageRule[], Map<string, PackageRule | null>>();

function firstRule(rules: readonly PackageRule[], pkg: string): PackageRule | undefined {
  let seen = firstRules.get(rules);
  if (!seen) firstRules.set(rules, (seen = new Map()));
  let rule = seen.get(pkg);
  if (rule === undefined) {
    rule = rules.find((r) => matchPackagePattern(r.pattern, pkg)) ?? null;
    if (seen.size >= 10_000) seen.clear();
    seen.set(pkg, rule);
  }
  return rule ?? undefined;
}

function decide(rules: readonly PackageRule[], principal: Principal | null, action: PackageAction, pkg: string): { grant: Grant; rule?: PackageRule } {
  if (principal?.readOnly && action !== 'access') return { grant: 'none' };
  const rule = firstRule(rules, pkg);
  if (!rule) return { grant: 'none' };
  return { grant: granted(rule[action], principal), rule };
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
  return decide(rules, principal, action, pkg).grant !== 'none';
}

/**
 * True when the rule allows `action` on `pkg` only through a group (`$authenticated`, `$all`) and the
 * rule keeps such grants to the package's maintainers (`maintainersOnly`, default true): then the
 * principal must be a maintainer of an existing package. `access` never needs one.
 * @example
 * const rules = [{ pattern: '**', access: ['$all'], publish: ['$authenticated', 'ci'], unpublish: [] }];
 * needsMaintainer(rules, { name: 'ana', roles: [], readOnly: false }, 'publish', 'pkg');     // true
 * needsMaintainer(rules, { name: 'bot', roles: ['ci'], readOnly: false }, 'publish', 'pkg'); // false
 */
export function needsMaintainer(rules: readonly PackageRule[], principal: Principal | null, action: PackageAction, pkg: string): boolean {
  if (action === 'access') return false;
  const { grant, rule } = decide(rules, principal, action, pkg);
  return grant === 'group' && rule?.maintainersOnly !== false;
}
