import type { Context } from '../kit.ts';

/**
 * The registry config file a command reads: `--config`, else REGISTRY_CONFIG, else undefined (then
 * ./registry.config.json5 when it exists), as docs/configuration.md says.
 */
export function configPath(ctx: Context): string | undefined {
  return (ctx.values.config as string | undefined) || ctx.env.REGISTRY_CONFIG?.trim() || undefined;
}
