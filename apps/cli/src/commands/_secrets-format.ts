import type { AuditEntry, InitializeResult, SecretSummary } from '@factorywager/secrets';

const paint = (on: boolean, code: number, s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
/** Text others wrote (an actor from FW_ACTOR, an environment, a reason) without control characters. */
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');

export function formatInit(r: InitializeResult, color: boolean): string {
  return [
    `${paint(color, 32, '✓')} secrets ready`,
    `  backend     ${r.backend === 'bun-secrets' ? 'OS keychain (Bun.secrets)' : 'encrypted file vault (AES-256-GCM)'}`,
    `  why         ${r.reason}`,
    `  service     ${r.service}`,
    `  master key  ${r.masterKeySource}${r.masterKeyCreated ? ' (created now)' : ''}`,
    `  data        ${r.dataDir} (store: ${r.store})`,
  ].join('\n');
}

export function formatAge(days: number): string {
  if (days < 1 / 24) return `${Math.max(0, Math.round(days * 1440))}m`;
  if (days < 1) return `${Math.round(days * 24)}h`;
  return `${Math.floor(days)}d`;
}

export function formatList(rows: SecretSummary[], color: boolean): string {
  if (rows.length === 0) return 'no secrets';
  const status = (s: SecretSummary) => {
    const text = s.deleted ? 'DELETED' : s.rotation === 'NONE' ? '-' : s.rotation;
    return paint(color, s.rotation === 'OVERDUE' ? 31 : s.rotation === 'DUE' ? 33 : s.rotation === 'OK' ? 32 : 2, text.padEnd(8));
  };
  const width = Math.max(3, ...rows.map((r) => r.key.length));
  const head = `${'KEY'.padEnd(width)}  VER  AGE   ROTATION  ENV`;
  const lines = rows.map((r) =>
    `${r.key.padEnd(width)}  ${`v${r.version}`.padEnd(4)} ${formatAge(r.ageDays).padEnd(5)} ${status(r)}  ${plain(r.env ?? '-')}${r.maxAgeDays !== undefined ? `  (max ${r.maxAgeDays}d)` : ''}`);
  return [head, ...lines].join('\n');
}

export function formatAudit(entries: AuditEntry[], color: boolean): string {
  if (entries.length === 0) return 'no audit entries';
  return entries.map((e) => {
    const outcome = e.outcome === 'ok' ? paint(color, 32, 'ok') : paint(color, 31, e.outcome);
    const version = e.version !== undefined ? ` v${e.version}` : '';
    return plain(`${e.at}  ${e.actor}  ${e.action} ${e.key}${version}  `) + outcome
      + plain(`${e.role ? `  role ${e.role}` : ''}${e.reason ? `  (${e.reason})` : ''}`);
  }).join('\n');
}
