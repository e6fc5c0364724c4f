import { SecretsError } from './errors.ts';
import { globMatch } from './_glob.ts';

/** What a grant allows. `write` covers create, update and rollback; `delete` covers soft delete and purge. */
export type SecretAction = 'read' | 'write' | 'rotate' | 'delete';

/** One grant of a role (structurally the registry config's `SecretRoleGrant`). */
export interface SecretGrant {
  actions: SecretAction[];
  /** Globs over secret keys: `*` within a `/` segment, `**` across segments. */
  keys: string[];
  /** Environments (FW_ENV values) the grant applies in; absent means every environment. */
  environments?: string[];
}

/**
 * The secrets policy, structurally compatible with the registry config's `secrets` section plus its
 * `users` map, so the CLI passes `{ ...config.secrets, users: config.users }` straight in.
 * With no roles configured every action is allowed (local single-user use); with roles configured an
 * action is denied unless a grant of one of the actor's roles matches.
 * @example
 * const policy: SecretsPolicy = {
 *   roles: { ci: [{ actions: ['read'], keys: ['registry:*'], environments: ['ci'] }] },
 *   users: { alice: { roles: ['ci'] } },
 *   rotation: [{ pattern: 'db/**', maxAgeDays: 90 }],
 * };
 */
export interface SecretsPolicy {
  roles?: Record<string, SecretGrant[]>;
  users?: Record<string, { roles: string[] }>;
  rotation?: Array<{ pattern: string; maxAgeDays: number }>;
  /** Versions kept per key; older ones are destroyed. Default 0 = keep all. */
  maxVersions?: number;
  /** Read cache TTL in seconds. */
  cacheTtl?: number;
}

/** The outcome of {@link checkAccess}: allowed (with the matching role, if any) or a reason naming the rule. */
export type AccessDecision = { allowed: true; role?: string } | { allowed: false; reason: string };

/**
 * Decides whether `actor` may perform `action` on `key`. `secretEnv` is the environment the secret is
 * tagged with (a tagged secret is readable only when `currentEnv` matches, policy or not).
 * @example
 * checkAccess(policy, { actor: 'alice', action: 'read', key: 'registry:npm', currentEnv: 'ci' });
 * // { allowed: true, role: 'ci' }
 */
export function checkAccess(
  policy: SecretsPolicy | undefined,
  req: { actor: string; action: SecretAction; key: string; currentEnv?: string; secretEnv?: string },
): AccessDecision {
  const { actor, action, key, currentEnv, secretEnv } = req;
  if (secretEnv && action === 'read' && currentEnv !== secretEnv) {
    return { allowed: false, reason: `secret "${key}" is restricted to environment "${secretEnv}" and FW_ENV is ${currentEnv ? `"${currentEnv}"` : 'unset'}` };
  }
  const roles = policy?.roles ?? {};
  if (Object.keys(roles).length === 0) return { allowed: true };
  const userRoles = policy?.users?.[actor]?.roles ?? [];
  if (userRoles.length === 0) {
    return { allowed: false, reason: `actor "${actor}" has no role in secrets policy (users.${actor}.roles is empty or missing)` };
  }
  const env = secretEnv ?? currentEnv;
  for (const role of userRoles) {
    for (const grant of roles[role] ?? []) {
      if (!grant.actions.includes(action)) continue;
      if (!grant.keys.some((p) => globMatch(p, key))) continue;
      if (grant.environments && !(env && grant.environments.includes(env))) continue;
      return { allowed: true, role };
    }
  }
  return {
    allowed: false,
    reason: `actor "${actor}" with role${userRoles.length > 1 ? 's' : ''} ${userRoles.map((r) => `"${r}"`).join(', ')} has no grant for secrets:${action} on "${key}"${env ? ` in environment "${env}"` : ''} (secrets.roles)`,
  };
}

/**
 * Throws SecretsError FORBIDDEN when {@link checkAccess} denies.
 * @example
 * assertAccess(policy, { actor, action: 'rotate', key });
 */
export function assertAccess(policy: SecretsPolicy | undefined, req: Parameters<typeof checkAccess>[1]): string | undefined {
  const d = checkAccess(policy, req);
  if (!d.allowed) throw new SecretsError('FORBIDDEN', `forbidden: ${d.reason}`);
  return d.role;
}

/** Rotation state of a secret: no schedule, within its max age, due (last 10% of it), overdue. */
export type RotationStatus = 'NONE' | 'OK' | 'DUE' | 'OVERDUE';

/**
 * Rotation status of `key` last changed at `updatedAt`, from the first matching `rotation` rule or the
 * secret's own `maxAgeDays`. DUE starts when 90% of the max age has passed.
 * @example
 * rotationStatus(policy, 'db/password', new Date('2026-01-01'), undefined, new Date());
 * // { status: 'OVERDUE', maxAgeDays: 90, ageDays: 328 }
 */
export function rotationStatus(
  policy: SecretsPolicy | undefined,
  key: string,
  updatedAt: Date,
  ownMaxAgeDays?: number,
  now: Date = new Date(),
): { status: RotationStatus; ageDays: number; maxAgeDays?: number } {
  const ageDays = Math.max(0, (now.getTime() - updatedAt.getTime()) / 86_400_000);
  const maxAgeDays = ownMaxAgeDays ?? policy?.rotation?.find((r) => globMatch(r.pattern, key))?.maxAgeDays;
  if (maxAgeDays === undefined) return { status: 'NONE', ageDays };
  const status = ageDays > maxAgeDays ? 'OVERDUE' : ageDays >= maxAgeDays * 0.9 ? 'DUE' : 'OK';
  return { status, ageDays, maxAgeDays };
}
