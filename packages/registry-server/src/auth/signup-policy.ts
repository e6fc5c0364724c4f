import type { RegistryConfig } from '../config/types.ts';
import { RegistryError } from '../errors.ts';

/** Names nobody may claim by open sign-up: they read as the registry's own or as an operator's. */
export const RESERVED_USER_NAMES: readonly string[] = ['admin', 'administrator', 'root', 'npm', 'registry'];

/**
 * Why open sign-up may not create `name`, or null when it may: reserved names, role names (rules
 * grant roles and user names alike, so a user named like a role would hold its rights), names the
 * config lists under `users` or names as grantees in package rules (an administrator creates those
 * accounts with `fw registry user add`).
 * @example
 * signupRefusal('admin', config); // 'the user name "admin" is reserved'
 */
export function signupRefusal(name: string, config: Pick<RegistryConfig, 'users' | 'packages'>): string | null {
  if (RESERVED_USER_NAMES.includes(name)) return `the user name "${name}" is reserved: choose another`;
  const roles = new Set(Object.values(config.users).flatMap((u) => u.roles));
  if (roles.has(name) && !Object.hasOwn(config.users, name)) return `"${name}" is the name of a role: choose another user name`;
  const granted = config.packages.some((r) => r.access.includes(name) || r.publish.includes(name) || r.unpublish.includes(name));
  if (Object.hasOwn(config.users, name) || granted) {
    return `the account "${name}" is named in the registry's config: an administrator creates it (fw registry user add ${name})`;
  }
  return null;
}

/**
 * Throws FORBIDDEN when {@link signupRefusal} refuses `name`.
 * @example
 * assertSignupAllowed('alice', config);
 */
export function assertSignupAllowed(name: string, config: Pick<RegistryConfig, 'users' | 'packages'>): void {
  const why = signupRefusal(name, config);
  if (why) throw new RegistryError('FORBIDDEN', why);
}
