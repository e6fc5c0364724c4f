import type { Store } from '@factorywager/r2-store';

/** One audit record. Never holds a value. */
export interface AuditEntry {
  at: string;
  actor: string;
  action: 'create' | 'update' | 'rotate' | 'rollback' | 'delete' | 'purge' | 'read';
  key: string;
  outcome: 'ok' | 'denied' | 'error';
  version?: number;
  env?: string;
  /** Role that allowed the action, when a policy is configured. */
  role?: string;
  /** Why it was denied or failed. */
  reason?: string;
}

interface AuditFile {
  format: 'fw-secrets-audit';
  v: 1;
  entries: AuditEntry[];
}

/** Audit files live at `secrets/_audit/{yyyy-mm-dd}.json` (`_` can never start a secret key). */
export const AUDIT_PREFIX = 'secrets/_audit/';

/**
 * Append-only audit trail in the store: one JSON file per UTC day (small enough that each
 * read-modify-write stays cheap), appended with the store's check-and-set `updateJson`, so concurrent
 * writers never drop an entry. One global log (rather than
 * one per key) keeps denied attempts on keys that do not exist, and `audit` without a key is one read
 * per day.
 * @example
 * const audit = new AuditLog(store);
 * await audit.append({ at: new Date().toISOString(), actor: 'alice', action: 'rotate', key: 'db', outcome: 'ok', version: 4 });
 * const entries = await audit.read({ key: 'db' });
 */
export class AuditLog {
  constructor(private readonly store: Store) {}

  async append(entry: AuditEntry): Promise<void> {
    const file = `${AUDIT_PREFIX}${entry.at.slice(0, 10)}.json`;
    await this.store.updateJson<AuditFile>(file, (cur) => ({
      format: 'fw-secrets-audit',
      v: 1,
      entries: [...(cur?.entries ?? []), entry],
    }), { retries: 60, backoffMs: 5 });
  }

  /** Entries oldest first, optionally only those of one key and at most the last `limit`. */
  async read(options: { key?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const files: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.list({ prefix: AUDIT_PREFIX, ...(cursor ? { cursor } : {}) });
      files.push(...page.keys.filter((k) => /\/\d{4}-\d{2}-\d{2}\.json$/.test(k)));
      cursor = page.cursor;
    } while (cursor);
    files.sort();
    const out: AuditEntry[] = [];
    for (const file of files) {
      const data = await this.store.getJson<AuditFile>(file);
      for (const e of data?.entries ?? []) if (!options.key || e.key === options.key) out.push(e);
    }
    return options.limit ? out.slice(-options.limit) : out;
  }
}
