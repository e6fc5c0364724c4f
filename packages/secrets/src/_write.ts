import { keys, type Store } from '@factorywager/r2-store';
import type { Backends } from './_backends.ts';
import { encryptEnvelope } from './envelope.ts';
import { SecretsError } from './errors.ts';
import type { SecretsPolicy } from './policy.ts';
import type { SecretAction, SecretMetadata, SecretVersionInfo, StoredVersion } from './types.ts';
import { toBase64, utf8 } from './_bytes.ts';

export interface WriteContext {
  store: Store;
  backends: Backends;
  policy: SecretsPolicy | undefined;
  now: () => Date;
  useBunSecrets: boolean;
}

const locks = new Map<string, Promise<unknown>>();

/** Serialises work on one key inside this process (commit + keychain write stay in order). */
export async function withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  try {
    return await run;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}

/** HMAC of (key, version, value) under a key derived from the master key; base64. */
export async function makeCheck(macKey: CryptoKey, key: string, version: number, value: string): Promise<string> {
  const sig = await crypto.subtle.sign('HMAC', macKey, utf8(JSON.stringify([key, version, value])));
  return toBase64(new Uint8Array(sig));
}

/**
 * Writes one version. Order, so that a crash never leaves current.json pointing at a missing version:
 * 1. allocate n with a check-and-set update of current.json (`latest` = n; `version` unchanged);
 * 2. write versions/{n}.json with If-None-Match: * (an envelope, never plaintext);
 * 3. commit: check-and-set current.json `version` = n unless a higher version committed first
 *    (concurrent writers: the highest number wins, each number is used exactly once);
 * 4. put the value in the keychain/vault when n became current (a stale or missing item is detected by
 *    `check`, so a refusal there does not fail the committed write);
 * 5. retention: destroy envelopes older than `maxVersions`.
 * A crash after 1 leaves an unused number; after 2, an uncommitted envelope that nothing points at.
 */
export async function writeVersion(
  ctx: WriteContext,
  w: { key: string; value: string; action: SecretAction; actor: string; from?: number; options: { env?: string; tags?: string[]; maxAgeDays?: number } },
): Promise<SecretVersionInfo> {
  const { store, backends, now } = ctx;
  const { key, value, action, actor } = w;
  const currentKey = keys.secretCurrent(key);
  const storage = ctx.useBunSecrets ? backends.keychain.name : 'file-vault';
  const startedAt = now().toISOString();

  const alloc = await store.updateJson<SecretMetadata>(currentKey, (cur) => {
    if (action === 'rotate' && (!cur || cur.version === 0 || cur.deleted)) throw new SecretsError('NOT_FOUND', `no secret "${key}" to rotate`);
    if (!cur) {
      return {
        format: 'fw-secret-current', v: 1, key, version: 0, latest: 1, createdAt: startedAt, updatedAt: startedAt,
        actor, storage, history: [],
      };
    }
    return { ...cur, latest: cur.latest + 1 };
  }, { retries: 100, backoffMs: 5 });
  const n = alloc.value!.latest;
  const at = now().toISOString();

  const envelope = await encryptEnvelope(backends.historyKey, key, n, value);
  const env = w.options.env ?? alloc.value!.env;
  const stored: StoredVersion = { ...envelope, action, at, actor, ...(env ? { env } : {}), ...(w.from !== undefined ? { from: w.from } : {}) };
  await store.putJson(keys.secretVersion(key, n), stored, { ifNoneMatch: '*' });
  const check = await makeCheck(backends.macKey, key, n, value);

  const maxVersions = ctx.policy?.maxVersions ?? 0;
  let destroy: number[] = [];
  const entry = { version: n, action, at, actor, ...(env ? { env } : {}), ...(w.from !== undefined ? { from: w.from } : {}) };
  const committed = await withKeyLock(key, async () => {
    let becameCurrent = false;
    await store.updateJson<SecretMetadata>(currentKey, (cur) => {
      if (!cur) throw new SecretsError('CONFLICT', `secret "${key}" was purged while version ${n} was being written`);
      becameCurrent = n > cur.version;
      const history = [...cur.history, entry].sort((a, b) => a.version - b.version || (a.action === 'delete' ? 1 : -1));
      const next: SecretMetadata = { ...cur, history };
      if (becameCurrent) {
        Object.assign(next, { version: n, updatedAt: at, actor, storage, check });
        if (cur.version === 0) next.createdAt = at;
        if (env) next.env = env;
        if (w.options.tags) next.tags = w.options.tags;
        if (w.options.maxAgeDays !== undefined) next.maxAgeDays = w.options.maxAgeDays;
        delete next.deleted;
      }
      destroy = [];
      if (maxVersions > 0) {
        const keep = next.version - maxVersions;
        next.history = next.history.map((h) => {
          if (h.action === 'delete' || h.version > keep || h.destroyed) return h;
          destroy.push(h.version);
          return { ...h, destroyed: true };
        });
      }
      return next;
    }, { retries: 100, backoffMs: 5 });
    if (becameCurrent) {
      // Committed: the envelope is the truth from here on. A keychain or vault that refuses the item
      // must not fail a write that happened (nor skip its audit); reads see the stale check and use
      // the envelope.
      const target = storage === 'file-vault' ? await backends.vault() : backends.keychain;
      await target.set(key, value).catch(() => undefined);
    }
    return becameCurrent;
  });
  if (destroy.length) await store.deleteMany(destroy.map((v) => keys.secretVersion(key, v)));
  return { ...entry, current: committed };
}

/** Destroys every version envelope of `key`, then its current.json (so no metadata points at nothing). */
export async function purgeObjects(store: Store, key: string): Promise<void> {
  const prefix = keys.secretVersionsPrefix(key);
  const versionKeys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ prefix, ...(cursor ? { cursor } : {}) });
    versionKeys.push(...page.keys.filter((k) => /^\d+\.json$/.test(k.slice(prefix.length))));
    cursor = page.cursor;
  } while (cursor);
  if (versionKeys.length) await store.deleteMany(versionKeys);
  await store.delete(keys.secretCurrent(key));
}
