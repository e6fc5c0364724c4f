import { renderHistoryAscii } from '@factorywager/graph-render';
import type { SecretVersionInfo } from './types.ts';

/**
 * Draws a secret's history (newest first) with graph-render's history tree:
 * `v3 rotate`, `v2 update`, `v1 create`, each with its date and actor; notes mark the current
 * version, the version a rollback restored, and envelopes destroyed by retention.
 * @example
 * console.log(renderVersionGraph('db/password', await secrets.getSecretVersions('db/password')));
 * // 🔐 secrets/db/password  2 versions
 * // ├── v2  rotate  2026-11-25  by alice
 * // └── v1  create  2026-11-20  by alice
 */
export function renderVersionGraph(key: string, versions: SecretVersionInfo[], options: { color?: boolean } = {}): string {
  const entries = versions.map((v) => {
    const notes = [
      v.current ? 'current' : '',
      v.action === 'rollback' && v.from !== undefined ? `restored the value of v${v.from}` : '',
      v.destroyed ? 'envelope destroyed (maxVersions)' : '',
      v.env ? `env ${v.env}` : '',
    ].filter(Boolean);
    return { version: v.version, action: v.action, date: v.at, actor: v.actor, ...(notes.length ? { note: notes.join('; ') } : {}) };
  });
  return renderHistoryAscii(`secrets/${key}`, entries, options);
}
