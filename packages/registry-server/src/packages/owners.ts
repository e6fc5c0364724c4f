import { RegistryError } from '../errors.ts';
import { randomHex } from '../_crypto.ts';
import { appendHistory, readHistory } from './history.ts';
import { diffMaintainers, maintainersOf, type Maintainer } from './maintainers.ts';
import type { PackageService } from './package-service.ts';
import { isLive, type Packument } from './packument.ts';

const nextRev = (rev: string | undefined) => `${(Number.parseInt(rev ?? '0', 10) || 0) + 1}-${randomHex(16)}`;

/**
 * Who maintains `name`: the stored or derived maintainers, else (a package fully unpublished before
 * maintainers were kept) the actor of its first publish in history. Empty for a name never published.
 * @example
 * (await packageMaintainers(service, 'pkg')).map((m) => m.name); // ['ana']
 */
export async function packageMaintainers(service: PackageService, name: string): Promise<Maintainer[]> {
  const doc = (await service.cache.read(name))?.doc ?? null;
  const found = maintainersOf(doc);
  if (found.length || !doc) return found;
  await service.written(name);
  const history = await readHistory(service.store, name, { type: 'publish' });
  const first = history?.events.find((e) => e.actor !== '$anonymous');
  return first ? [{ name: first.actor }] : [];
}

/**
 * `npm owner add/rm` (at revision `rev`) and pnpm's owners route (no revision): `change` gets the
 * current maintainers and returns the new list (users already looked up, with their e-mails).
 * Refuses an empty list (the last maintainer stays) and a stale revision; history records an
 * `owner` event.
 * @example
 * await setMaintainers(service, 'pkg', doc._rev, () => [{ name: 'ana' }, { name: 'bob', email: 'bob@x.org' }], 'ana');
 */
export async function setMaintainers(service: PackageService, name: string, rev: string | null, change: (now: Maintainer[]) => Maintainer[], actor: string): Promise<Packument> {
  const fallback = await packageMaintainers(service, name);
  let before: string[] = [];
  let after: string[] = [];
  let changed = false;
  const time = new Date().toISOString();
  const doc = await service.update(name, (current) => {
    if (!isLive(current)) throw new RegistryError('NOT_FOUND', `package ${name} not found`);
    if (rev !== null && rev !== current._rev) throw new RegistryError('CONFLICT', `revision of ${name} is out of date; fetch it again`);
    const now = maintainersOf(current).length ? maintainersOf(current) : fallback;
    const next = change(now);
    if (next.length === 0) throw new RegistryError('BAD_REQUEST', `${name} must keep at least one maintainer: add another before removing the last`);
    before = now.map((m) => m.name);
    after = next.map((m) => m.name);
    const { added, removed } = diffMaintainers(now, after);
    const emailsMissing = now.some((m) => !m.email && next.some((n) => n.name === m.name && n.email));
    changed = added.length > 0 || removed.length > 0 || emailsMissing;
    if (!changed) return undefined;
    const out = structuredClone(current);
    out.maintainers = next.map((m) => ({ name: m.name, ...(m.email ? { email: m.email } : {}) }));
    out._rev = nextRev(current._rev);
    return out;
  });
  if (changed) await appendHistory(service.store, name, [{ type: 'owner', actor, time, before, after }]);
  return doc!;
}

/**
 * `npm star` / `npm unstar`: only the caller's own entry of `users` changes, whatever else the body
 * holds. No history event and no `time.modified` change: a star is not a release.
 * @example
 * await setStar(service, 'pkg', 'ana', true);
 */
export async function setStar(service: PackageService, name: string, user: string, starred: boolean): Promise<Packument> {
  const doc = await service.update(name, (current) => {
    if (!isLive(current)) throw new RegistryError('NOT_FOUND', `package ${name} not found`);
    const users = (current.users && typeof current.users === 'object' ? current.users : {}) as Record<string, boolean>;
    if (Boolean(Object.hasOwn(users, user) && users[user]) === starred) return undefined;
    const out = structuredClone(current);
    const nextUsers: Record<string, boolean> = Object.create(null);
    for (const [k, v] of Object.entries(users)) if (k !== user && v === true) nextUsers[k] = true;
    if (starred) nextUsers[user] = true;
    out.users = { ...nextUsers };
    out._rev = nextRev(current._rev);
    return out;
  });
  return doc!;
}

/** True when `user` starred `doc`. */
export const starredBy = (doc: Packument, user: string): boolean =>
  typeof doc.users === 'object' && doc.users !== null && Object.hasOwn(doc.users, user) && (doc.users as Record<string, unknown>)[user] === true;
