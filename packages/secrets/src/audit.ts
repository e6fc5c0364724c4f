import { appendLog, type Store } from '@factorywager/r2-store';

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

/**
 * The audit lives under `secrets/_audit/` (`_` can never start a secret key): one object per entry at
 * `secrets/_audit/{yyyy-mm-dd}/{id}.json`. Stores written before the audit became append-only hold
 * one `secrets/_audit/{yyyy-mm-dd}.json` per day; those are still read (a day's file sorts before that
 * day's folder, and its entries are older).
 */
export const AUDIT_PREFIX = 'secrets/_audit/';

const DAY_FILE = /^secrets\/_audit\/\d{4}-\d{2}-\d{2}\.json$/;
const ENTRY_FILE = /^secrets\/_audit\/\d{4}-\d{2}-\d{2}\/[^/]+\.json$/;

/**
 * Append-only audit trail in the store: every entry is a new object (never a rewrite of a shared
 * one), so concurrent writers and replicas never contend for a key (R2 takes about one write per
 * second per key) and never drop an entry. One global log (rather than one per key) keeps denied
 * attempts on keys that do not exist.
 * @example
 * const audit = new AuditLog(store);
 * await audit.append({ at: new Date().toISOString(), actor: 'alice', action: 'rotate', key: 'db', outcome: 'ok', version: 4 });
 * const entries = await audit.read({ key: 'db' });
 */
export class AuditLog {
  constructor(private readonly store: Store) {}

  async append(entry: AuditEntry): Promise<void> {
    await appendLog<AuditFile>(this.store, `${AUDIT_PREFIX}${entry.at.slice(0, 10)}/`).append({ format: 'fw-secrets-audit', v: 1, entries: [entry] });
  }

  /** Entries oldest first, optionally only those of one key and at most the last `limit` (read from the end). */
  async read(options: { key?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const files: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.list({ prefix: AUDIT_PREFIX, ...(cursor ? { cursor } : {}) });
      files.push(...page.keys.filter((k) => DAY_FILE.test(k) || ENTRY_FILE.test(k)));
      cursor = page.cursor;
    } while (cursor);
    files.sort().reverse();
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    const newestFirst: AuditEntry[] = [];
    for (let i = 0; i < files.length && newestFirst.length < limit; i += 8) {
      const batch = await Promise.all(files.slice(i, i + 8).map((f) => this.store.getJson<AuditFile>(f)));
      for (const data of batch) {
        const entries = data?.entries ?? [];
        for (let j = entries.length - 1; j >= 0 && newestFirst.length < limit; j--) {
          if (!options.key || entries[j]!.key === options.key) newestFirst.push(entries[j]!);
        }
      }
    }
    return newestFirst.reverse();
  }
}
