import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Packument } from '../src/index.ts';

/** Real packuments, stripped by fixtures/strip-packument.ts (see fixtures/README.md). */
export const REAL = ['typescript', 'react', 'vue', 'express', 'core-js', 'uuid', 'request'] as const;

export function loadFixture(name: (typeof REAL)[number]): Packument {
  return JSON.parse(gunzipSync(readFileSync(new URL(`./fixtures/${name}.json.gz`, import.meta.url))).toString('utf8'));
}
