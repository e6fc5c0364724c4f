import type { Store } from '@factorywager/r2-store';
import type { Auth, PackageAction, Principal } from './auth/types.ts';
import { RegistryError } from './errors.ts';
import type { PackageService } from './packages/package-service.ts';
import type { DownloadCounter } from './packages/downloads.ts';
import type { PackageIndex } from './packages/package-index.ts';
import type { TarballCache } from './packages/tarball-cache.ts';
import type { Readable } from './_readable.ts';
import type { Uplinks } from './uplinks.ts';
import type { MetadataLimits } from './packages/manifest-fields.ts';
import type { TarballLimits, TarballReader } from './packages/tarball-reader.ts';
import { packageMaintainers } from './packages/owners.ts';

/** What every route needs, built once per handler. */
export interface HandlerContext {
  store: Store;
  auth: Auth;
  service: PackageService;
  uplinks: Uplinks;
  downloads: DownloadCounter;
  index: PackageIndex;
  /** Small tarballs in memory (`cache.tarballBytes`). */
  tarballs: TarballCache;
  /** The index entries a principal may read (remembered per index view). */
  readable: (principal: Principal | null) => Promise<Readable>;
  publicUrl: string;
  maxBodySize: number;
  tarballLimits: TarballLimits;
  readTarball: TarballReader | undefined;
  metadataLimits: MetadataLimits;
  now: () => Date;
  /** Keeps work a request started alive after its response (a Worker's `waitUntil`). */
  background?: (req: Request, work: Promise<unknown>) => void;
}

/** Authenticates and checks a package action: 401 for no credentials, 403 for a principal without the right. */
export async function authorize(ctx: HandlerContext, req: Request, action: PackageAction, name: string): Promise<Principal | null> {
  return check(ctx, await ctx.auth.authenticate(req), action, name);
}

/**
 * The rule check of {@link authorize} for a principal already authenticated. Where the rule grants
 * the action only through a group (`$authenticated`), a package that has maintainers may be changed
 * by them alone: everyone else gets a 403 that says who to ask.
 */
export async function check(ctx: HandlerContext, principal: Principal | null, action: PackageAction, name: string): Promise<Principal | null> {
  if (!ctx.auth.can(principal, action, name)) {
    if (!principal) throw new RegistryError('UNAUTHORIZED', `log in to ${action} ${name}`);
    const why = principal.readOnly && action !== 'access' ? ' with a read-only token' : '';
    throw new RegistryError('FORBIDDEN', `${principal.name} may not ${action} ${name}${why}`);
  }
  if (principal && ctx.auth.needsMaintainer(principal, action, name)) {
    const maintainers = await packageMaintainers(ctx.service, name);
    if (maintainers.length && !maintainers.some((m) => m.name === principal.name)) {
      throw new RegistryError('FORBIDDEN', `${principal.name} is not a maintainer of ${name}: only ${maintainers.map((m) => m.name).join(', ')} may ${action} it (they can add you with npm owner add ${principal.name} ${name})`);
    }
  }
  return principal;
}

/** The name history records for a principal. */
export const actorOf = (p: Principal | null) => p?.name ?? '$anonymous';
