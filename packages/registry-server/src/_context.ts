import type { Store } from '@factorywager/r2-store';
import type { Auth, PackageAction, Principal } from './auth/types.ts';
import { RegistryError } from './errors.ts';
import type { PackageService } from './packages/package-service.ts';
import type { DownloadCounter } from './packages/downloads.ts';
import type { PackageIndex } from './packages/package-index.ts';
import type { Uplinks } from './uplinks.ts';
import type { MetadataLimits } from './packages/manifest-fields.ts';
import type { TarballLimits, TarballReader } from './packages/tarball-reader.ts';

/** What every route needs, built once per handler. */
export interface HandlerContext {
  store: Store;
  auth: Auth;
  service: PackageService;
  uplinks: Uplinks;
  downloads: DownloadCounter;
  index: PackageIndex;
  publicUrl: string;
  maxBodySize: number;
  tarballLimits: TarballLimits;
  readTarball: TarballReader | undefined;
  metadataLimits: MetadataLimits;
  now: () => Date;
}

/** Authenticates and checks a package action: 401 for no credentials, 403 for a principal without the right. */
export async function authorize(ctx: HandlerContext, req: Request, action: PackageAction, name: string): Promise<Principal | null> {
  return check(ctx, await ctx.auth.authenticate(req), action, name);
}

/** The rule check of {@link authorize} for a principal already authenticated. */
export function check(ctx: HandlerContext, principal: Principal | null, action: PackageAction, name: string): Principal | null {
  if (!ctx.auth.can(principal, action, name)) {
    if (!principal) throw new RegistryError('UNAUTHORIZED', `log in to ${action} ${name}`);
    const why = principal.readOnly && action !== 'access' ? ' with a read-only token' : '';
    throw new RegistryError('FORBIDDEN', `${principal.name} may not ${action} ${name}${why}`);
  }
  return principal;
}

/** The name history records for a principal. */
export const actorOf = (p: Principal | null) => p?.name ?? '$anonymous';
