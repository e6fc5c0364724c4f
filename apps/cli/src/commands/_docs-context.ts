import { join, resolve } from 'node:path';
import type { Context } from '../kit.ts';

/** The data folder, as the secrets and docs commands read it: FW_DATA_DIR, else ./.factorywager. */
export const dataDir = (ctx: Context) => resolve(ctx.env.FW_DATA_DIR?.trim() || './.factorywager');

/** The docs cache under the data folder. */
export async function openDocsCache(ctx: Context) {
  const { DocsCache } = await import('@factorywager/docs');
  return new DocsCache(join(dataDir(ctx), '.docs'));
}

/** "3m ago", "2h ago", "5d ago". */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}
