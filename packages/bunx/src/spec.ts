import npa from 'npm-package-arg';
import semver from 'semver';
import { BunxError } from './errors.ts';

/** A registry package spec: a name and an exact version, a range or a dist-tag. */
export interface PackageSpec {
  name: string;
  type: 'version' | 'range' | 'tag';
  /** The version (normalised), the range, or the tag name. */
  spec: string;
  /** What the user wrote after the name ('' for a bare name). */
  raw: string;
}

/**
 * Parses `pkg`, `pkg@^1`, `@scope/pkg@2.0.0` or `pkg@beta` with npm-package-arg (or a name and a
 * separate `version`). A bare name means the `latest` dist-tag, as `bun x` and `npx` take it.
 * Anything that is not a registry spec (git, file, URL, alias) is refused.
 * @example
 * parseSpec('@acme/cli@^1.0.0'); // { name: '@acme/cli', type: 'range', spec: '^1.0.0', raw: '^1.0.0' }
 * parseSpec('@acme/cli');        // { name: '@acme/cli', type: 'tag', spec: 'latest', raw: '' }
 */
export function parseSpec(input: string, version?: string): PackageSpec {
  let parsed: npa.Result;
  try {
    parsed = version === undefined ? npa(input) : npa.resolve(input, version);
  } catch (err) {
    throw new BunxError('INVALID_SPEC', `invalid package spec ${JSON.stringify(version === undefined ? input : `${input}@${version}`)}: ${(err as Error).message}`, { cause: err });
  }
  const name = parsed.name;
  if (!name || !['version', 'range', 'tag'].includes(parsed.type)) {
    throw new BunxError('INVALID_SPEC', `"${parsed.raw}" is not a registry package spec (a ${parsed.type} spec); use name[@version|range|tag]`);
  }
  const bare = version === undefined ? input === name : version === '';
  if (bare) return { name, type: 'tag', spec: 'latest', raw: '' };
  const raw = parsed.rawSpec;
  const fetchSpec = String(parsed.fetchSpec);
  if (parsed.type === 'version') return { name, type: 'version', spec: semver.valid(fetchSpec, true) ?? fetchSpec, raw };
  return { name, type: parsed.type as 'range' | 'tag', spec: fetchSpec, raw };
}

/**
 * The spec as text: `name`, `name@1.2.3`, `name@^1`.
 * @example
 * formatSpec(parseSpec('pkg@beta')); // 'pkg@beta'
 */
export function formatSpec(spec: PackageSpec): string {
  return spec.raw === '' ? spec.name : `${spec.name}@${spec.raw}`;
}
