import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every object file under an fs-driver root, keyed by storage key (internal dot-folders skipped). */
export function listObjects(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith('.')) continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}

/**
 * Checks an fs store the way a registry must leave it after a crash: every JSON object parses,
 * and every version a manifest lists has its tarball with the manifest's integrity.
 * Returns the problems found (empty when consistent).
 */
export function checkStore(root: string): { problems: string[]; manifests: number; versions: number } {
  const problems: string[] = [];
  let manifests = 0;
  let versions = 0;
  for (const key of listObjects(root)) {
    if (!key.endsWith('.json')) continue;
    let doc: any;
    try {
      doc = JSON.parse(readFileSync(join(root, key), 'utf8'));
    } catch (err) {
      problems.push(`${key}: does not parse (${(err as Error).message})`);
      continue;
    }
    if (!/^packages\/.+\/manifest\.json$/.test(key)) continue;
    manifests++;
    for (const [version, meta] of Object.entries<any>(doc.versions ?? {})) {
      versions++;
      const file = String(meta?.dist?.tarball ?? '').split('/-/').pop();
      const tarKey = join('packages', doc.name, file ?? '');
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(root, tarKey));
      } catch {
        problems.push(`${doc.name}@${version}: tarball ${tarKey} missing`);
        continue;
      }
      const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
      if (meta.dist.integrity !== integrity) problems.push(`${doc.name}@${version}: integrity mismatch`);
    }
  }
  return { problems, manifests, versions };
}
