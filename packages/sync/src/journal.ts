import { appendFileSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * What arrived at the target, recorded as each object lands, so a run killed part way resumes
 * without sending those again. The journal is an accelerator, not the truth: a key it names is
 * still checked against the target's listing, and an object that arrived just before the kill
 * (sent, not yet recorded) is recognised by its content hash on the target.
 */
export interface SyncJournal {
  /** The content hash (sha256 hex) last confirmed at the target for each key. */
  load(): Promise<Map<string, string>>;
  /** Records that `key` with content `hash` is at the target. */
  record(key: string, hash: string): void;
  /** Drops a key (it changed or vanished at the target). */
  forget(key: string): void;
  /** Rewrites the journal compactly; called at the end of a run. */
  close(): Promise<void>;
}

/**
 * A journal in one JSON-lines file: one line appended per object that arrived (a line cut short by
 * a kill is ignored on load), rewritten whole (temp file + rename) at the end of a run.
 * @example
 * const journal = fileJournal('.factorywager/.sync/3f2a.jsonl');
 * await syncUpload({ source, target, journal });
 */
export function fileJournal(path: string): SyncJournal {
  let entries = new Map<string, string>();
  let fd: number | undefined;
  const append = (line: object) => {
    if (fd === undefined) {
      mkdirSync(dirname(path), { recursive: true });
      fd = openSync(path, 'a');
    }
    appendFileSync(fd, `${JSON.stringify(line)}\n`);
  };
  return {
    async load() {
      let text = '';
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      entries = new Map();
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          const e = JSON.parse(line) as { k?: unknown; h?: unknown };
          if (typeof e.k !== 'string') continue;
          if (typeof e.h === 'string') entries.set(e.k, e.h);
          else entries.delete(e.k);
        } catch { /* the last line of a killed run */ }
      }
      return new Map(entries);
    },
    record(key, hash) {
      entries.set(key, hash);
      append({ k: key, h: hash });
    },
    forget(key) {
      if (entries.delete(key)) append({ k: key, h: null });
    },
    async close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      const tmp = `${path}.${process.pid}.tmp`;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(tmp, [...entries].map(([k, h]) => `${JSON.stringify({ k, h })}\n`).join(''));
      renameSync(tmp, path);
    },
  };
}

/**
 * A journal in memory (tests, one-off copies).
 * @example
 * await syncUpload({ source, target, journal: memoryJournal() });
 */
export function memoryJournal(initial: Map<string, string> = new Map()): SyncJournal {
  const entries = new Map(initial);
  return {
    load: async () => new Map(entries),
    record: (k, h) => { entries.set(k, h); },
    forget: (k) => { entries.delete(k); },
    close: async () => {},
  };
}
