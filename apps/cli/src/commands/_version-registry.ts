import { VersionManager } from '@factorywager/semver-graph';
import type { Context } from '../kit.ts';
import { registryUrl, resolveToken, tokenSources } from './_registry-client.ts';

/**
 * The VersionManager every `version` command that talks to a registry uses: `--registry`, else
 * REGISTRY_URL, else the local default; the token from the same sources as every registry command
 * (FW_TOKEN, the secrets manager's `registry:<host>`, ./.npmrc, ~/.npmrc), looked up once.
 */
export function versionManager(ctx: Context): VersionManager {
  const registry = registryUrl({ ...ctx.env, REGISTRY_URL: (ctx.values.registry as string | undefined) ?? ctx.env.REGISTRY_URL });
  let token: Promise<string | null> | undefined;
  const secrets = async () => (await import('./_secrets-context.ts')).openSecrets(ctx);
  return new VersionManager({
    registryUrl: registry,
    token: () => (token ??= resolveToken(registry, tokenSources(ctx.env, { secrets }))),
  });
}
