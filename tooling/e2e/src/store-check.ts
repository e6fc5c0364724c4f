import { createHash } from 'node:crypto';
import { createStore, keys, type Store } from '@factorywager/r2-store';

/** The publish events of a package's history, e.g. from a running registry's `/-/fw/history`. */
export type PublishEvents = (name: string) => Promise<Array<{ version?: string }>>;

/** Every key in a store, through the store's own list (so temp and lock files never count). */
export async function listObjects(store: Store): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ cursor, limit: 1000 });
    out.push(...page.keys);
    cursor = page.cursor;
  } while (cursor);
  return out.sort();
}

/**
 * Checks a store the way a registry must leave it after a crash: every JSON object parses, and
 * every version a manifest lists has its tarball with the manifest's integrity. With `audit` (how
 * to read the publish events of a package), every version also has its version record (same
 * integrity) and exactly one publish event in the history.
 * Takes an fs data folder or any Store. Returns the problems found (empty when consistent).
 */
export async function checkStore(where: string | Store, options: { audit?: PublishEvents } = {}): Promise<{ problems: string[]; manifests: number; versions: number; records: number; publishEvents: number }> {
  const store = typeof where === 'string' ? createStore({ driver: 'fs', root: where }) : where;
  const problems: string[] = [];
  let manifests = 0;
  let versions = 0;
  let records = 0;
  let publishEvents = 0;
  for (const key of await listObjects(store)) {
    if (!key.endsWith('.json')) continue;
    let doc: any;
    try {
      doc = JSON.parse((await store.getText(key)) ?? 'null');
    } catch (err) {
      problems.push(`${key}: does not parse (${(err as Error).message})`);
      continue;
    }
    if (!/^packages\/.+\/manifest\.json$/.test(key)) continue;
    manifests++;
    const published = options.audit ? await options.audit(doc.name) : [];
    for (const [version, meta] of Object.entries<any>(doc.versions ?? {})) {
      versions++;
      if (options.audit) {
        const record = await store.getJson<{ integrity?: string }>(keys.versionRecord(doc.name, version));
        if (record?.integrity === meta?.dist?.integrity) records++;
        else problems.push(`${doc.name}@${version}: ${record ? 'version record with another integrity' : 'no version record'}`);
        const events = published.filter((e) => e.version === version).length;
        if (events === 1) publishEvents++;
        else problems.push(`${doc.name}@${version}: ${events} publish events in the history`);
      }
      const file = String(meta?.dist?.tarball ?? '').split('/-/').pop() ?? '';
      const object = await store.get(`packages/${doc.name}/${file}`);
      if (!object) {
        problems.push(`${doc.name}@${version}: tarball ${file} missing`);
        continue;
      }
      const integrity = `sha512-${createHash('sha512').update(object.body).digest('base64')}`;
      if (meta.dist.integrity !== integrity) problems.push(`${doc.name}@${version}: integrity mismatch`);
    }
  }
  return { problems, manifests, versions, records, publishEvents };
}

/**
 * sha256 of every object in a store (an fs data folder or any Store), by key: equal snapshots mean a
 * store left byte-identical.
 */
export async function snapshotStore(where: string | Store): Promise<Record<string, string>> {
  const store = typeof where === 'string' ? createStore({ driver: 'fs', root: where }) : where;
  const out: Record<string, string> = {};
  for (const key of await listObjects(store)) {
    const object = await store.get(key);
    if (object) out[key] = createHash('sha256').update(object.body).digest('hex');
  }
  return out;
}
