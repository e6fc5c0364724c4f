import { VersionManager } from '@factorywager/semver-graph';
import type { Context } from '../kit.ts';
import { registryUrl, resolveToken, tokenSources } from './_registry-client.ts';

/**
 * The VersionManager every `version` command that talks to a registry uses: `--registry`, else
 * REGISTRY_URL, else the local default; the token from the same sources as every registry command
 * (FW_TOKEN, the secrets manager's `registry:<host>`, ./.npmrc, ~/.npmrc), looked up once. FW_TOKEN
 * goes with every request; the other sources (the secrets manager costs more than a whole graph
 * request) are asked only when the registry refuses an anonymous read, or for a write.
 */
export function versionManager(ctx: Context): VersionManager {
  const registry = registryUrl({ ...ctx.env, REGISTRY_URL: (ctx.values.registry as string | undefined) ?? ctx.env.REGISTRY_URL });
  let token: Promise<string | null> | undefined;
  const secrets = async () => (await import('./_secrets-context.ts')).openSecrets(ctx);
  const fixed = ctx.env.FW_TOKEN?.trim();
  return new VersionManager({
    registryUrl: registry,
    token: fixed || (() => (token ??= resolveToken(registry, tokenSources(ctx.env, { secrets })))),
  });
}
