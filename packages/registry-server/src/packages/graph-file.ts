import { toD3Json, type D3Graph } from '@factorywager/graph-render';
import { buildVersionGraph, type GraphOptions, type Packument as GraphPackument, type VersionGraph } from '@factorywager/semver-graph';
import { isStoreError, keys, type Store } from '@factorywager/r2-store';
import { isLive, type Packument } from './packument.ts';

/** `versions/{name}/graph.json`: the D3 JSON form of the whole graph, and the manifest `_rev` it was built from. */
export interface GraphFile extends D3Graph {
  rev: string;
}

/**
 * The version graph of a stored packument. The version the last rollback of `latest` replaced is
 * the Rollback Ready one while `latest` still stands where that rollback put it.
 * @example
 * const graph = versionGraph(doc, { limit: 20 });
 */
export function versionGraph(doc: Packument, options: GraphOptions = {}): VersionGraph {
  const last = doc._fw?.rollbacks?.latest;
  const rolledBackFrom = last && doc['dist-tags'].latest === last.to ? last.from : null;
  return buildVersionGraph(doc as unknown as GraphPackument, { ...options, rolledBackFrom });
}

/** The number before the dash of a `_rev` (`12-ab…` -> 12); it grows with every change. */
const revNumber = (rev: string | undefined) => Number.parseInt(rev ?? '', 10) || 0;

/** True when a file stamped `have` was built from an older manifest than `want`. */
function older(have: string | undefined, want: string): boolean {
  if (!have) return true;
  return revNumber(have) < revNumber(want) || (revNumber(have) === revNumber(want) && have !== want);
}

/**
 * Keeps `versions/{name}/graph.json` in step with the manifest: written when missing or built from
 * an older `_rev` (the rev is kept in the object's metadata, so the check is one `head`), removed
 * when the package has no versions left. Conditional puts, so a replica holding an older manifest
 * never replaces a newer file. The file is derived data: readers trust the manifest over it.
 * @example
 * await writeGraphFile(store, 'pkg', doc);
 */
export async function writeGraphFile(store: Store, name: string, doc: Packument | null): Promise<void> {
  const key = keys.versionGraph(name);
  for (let attempt = 0; attempt < 3; attempt++) {
    const info = await store.head(key);
    if (!isLive(doc)) {
      if (info) await store.delete(key);
      return;
    }
    if (info && !older(info.metadata?.rev, doc._rev)) return;
    const file: GraphFile = { ...toD3Json(versionGraph(doc)), rev: doc._rev };
    try {
      await store.put(key, JSON.stringify(file), {
        contentType: 'application/json',
        metadata: { rev: doc._rev },
        ...(info ? { ifMatch: info.etag } : { ifNoneMatch: '*' as const }),
      });
      return;
    } catch (err) {
      if (!isStoreError(err, 'PRECONDITION_FAILED')) throw err;
    }
  }
}
