// Seeds a data folder through the store library (not over HTTP, to keep setup fast): many small
// packages for the search and list cases, and one package with thousands of versions.
import { keys, type Store } from '../packages/r2-store/src/index.ts';

const WORDS = ['string', 'pad', 'parse', 'format', 'stream', 'buffer', 'async', 'queue', 'cache', 'token', 'widget', 'button', 'render', 'schema', 'config', 'logger'];
const word = (i: number, n: number) => WORDS[(i * 7 + n * 3) % WORDS.length]!;
const TIME = '2026-01-01T00:00:00.000Z';

function version(name: string, v: string, i: number, maintainer: string) {
  return {
    name, version: v, description: `${word(i, 3)} and ${word(i, 4)} helpers`, main: 'index.js', keywords: [word(i, 6), word(i, 7)],
    _id: `${name}@${v}`, _npmUser: { name: maintainer }, maintainers: [{ name: maintainer }],
    dist: { integrity: `sha512-${'A'.repeat(86)}==`, shasum: '0'.repeat(40), tarball: `http://127.0.0.1/${name}/-/${name}-${v}.tgz` },
  };
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** `count` one-version packages `fw-seed-<i>` (every third one scoped, `@seed/fw-seed-<i>`). */
export async function seedPackages(store: Store, count: number, maintainer = 'seed'): Promise<void> {
  await pool(Array.from({ length: count }, (_, i) => i), 16, (i) => {
    const name = i % 3 === 0 ? `@seed/fw-seed-${i}` : `fw-seed-${i}`;
    return store.putJson(keys.manifest(name), {
      _id: name, _rev: '1-seed', name, description: `${word(i, 3)} and ${word(i, 4)} helpers`, 'dist-tags': { latest: '1.0.0' },
      versions: { '1.0.0': version(name, '1.0.0', i, maintainer) }, time: { created: TIME, modified: TIME, '1.0.0': TIME },
      maintainers: [{ name: maintainer }], _fw: { sizes: { '1.0.0': 300 } },
    });
  });
}

/** One package with `count` versions (1.0.0 ...), maintained by `maintainer`. */
export async function seedBigPackage(store: Store, name: string, count: number, maintainer: string): Promise<void> {
  const versions: Record<string, unknown> = {};
  const time: Record<string, string> = { created: TIME, modified: TIME };
  const sizes: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const v = `1.${Math.floor(i / 100)}.${i % 100}`;
    versions[v] = version(name, v, i, maintainer);
    time[v] = TIME;
    sizes[v] = 300;
  }
  const latest = Object.keys(versions).at(-1)!;
  await store.putJson(keys.manifest(name), {
    _id: name, _rev: `${count}-seed`, name, description: 'many versions', 'dist-tags': { latest }, versions, time,
    maintainers: [{ name: maintainer }], _fw: { sizes },
  });
}
