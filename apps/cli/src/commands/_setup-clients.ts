import { join } from 'node:path';
import ini from 'ini';
import { applyEdits, modify, parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { isMap, isSeq, parseDocument } from 'yaml';
import { parse as parseToml, patch as patchToml } from '@decimalturn/toml-patch';
import { mergeNpmrc, npmrcSettings, parseError, readText, type FileChange } from './_setup-files.ts';

/** The clients `fw registry setup` configures. */
export const CLIENTS = ['npm', 'pnpm', 'yarn', 'bun', 'deno'] as const;
export type SetupClient = (typeof CLIENTS)[number];

/** What every client's setup gets. */
export interface SetupInput {
  registry: string;
  /** `@acme`, or null for the registry of every package. */
  scope: string | null;
  token: string | null;
  /** This registry's own packages (of the scope): exempt from the client's release-age gate. */
  exclude: string[];
  /** Name patterns for the same (`@acme/*`), for the clients whose exemptions take globs. */
  patterns: string[];
  /** Where the files go: the project folder, or the home folder (`--user`). */
  where: 'project' | 'user';
  cwd: string;
  home: string;
  /** XDG_CONFIG_HOME or ~/.config (pnpm's global config.yaml lives there). */
  configHome: string;
}

/** A file's change plus notes for the user (what a client cannot be told at this level). */
export interface SetupPlan {
  changes: FileChange[];
  notes: string[];
}

const union = (existing: unknown, ours: string[]): string[] => {
  const list = Array.isArray(existing) ? existing.filter((v): v is string => typeof v === 'string') : typeof existing === 'string' ? [existing] : [];
  return [...new Set([...list, ...ours])];
};

async function npmrc(input: SetupInput, extra: (current: Record<string, unknown>) => Record<string, string | string[]> = () => ({})): Promise<FileChange> {
  const path = join(input.where === 'user' ? input.home : input.cwd, '.npmrc');
  const before = await readText(path);
  let current: Record<string, unknown>;
  try {
    current = ini.parse(before ?? '');
  } catch (err) {
    throw parseError(path, err);
  }
  const after = mergeNpmrc(before, { ...npmrcSettings(input.registry, input.scope, input.token), ...extra(current) });
  return { path, before, after, secret: input.token !== null };
}

/** Sets `keys` in a YAML document (comments and other keys kept); `path` like ['npmScopes', 'acme']. */
async function mergeYaml(path: string, edit: (doc: ReturnType<typeof parseDocument>) => void, secret: boolean): Promise<FileChange> {
  const before = await readText(path);
  const doc = parseDocument(before ?? '');
  if (doc.errors.length) throw parseError(path, doc.errors[0]);
  if (doc.contents !== null && !isMap(doc.contents)) throw parseError(path, new Error('the top level is not a mapping'));
  edit(doc);
  return { path, before, after: doc.toString(), secret };
}

const seqUnion = (doc: ReturnType<typeof parseDocument>, key: string[], ours: string[]) => {
  const node = doc.getIn(key, true);
  const existing = isSeq(node) ? node.toJSON() : undefined;
  doc.setIn(key, union(existing, ours));
};

/** npm: `.npmrc` with the registry, the token and `min-release-age-exclude[]`. */
async function npm(input: SetupInput): Promise<SetupPlan> {
  return { changes: [await npmrc(input, (cur) => ({ 'min-release-age-exclude': union(cur['min-release-age-exclude'], input.exclude) }))], notes: [] };
}

/**
 * pnpm: registry and token in `.npmrc` (pnpm reads its auth there); `minimumReleaseAgeExclude` in
 * `pnpm-workspace.yaml` of the project, or in pnpm's global `config.yaml` with `--user`.
 */
async function pnpm(input: SetupInput): Promise<SetupPlan> {
  const settings = input.where === 'user' ? join(input.configHome, 'pnpm', 'config.yaml') : join(input.cwd, 'pnpm-workspace.yaml');
  return {
    changes: [
      await npmrc(input),
      await mergeYaml(settings, (doc) => seqUnion(doc, ['minimumReleaseAgeExclude'], [...input.patterns, ...input.exclude]), false),
    ],
    notes: [],
  };
}

/**
 * yarn: `.yarnrc.yml` for Yarn 2+ (`npmRegistryServer` or `npmScopes`, the token, `unsafeHttpWhitelist`
 * for an http registry, `npmPreapprovedPackages` past the age gate) and `.npmrc` for Yarn 1, which
 * reads only that (and has no age gate).
 */
async function yarn(input: SetupInput): Promise<SetupPlan> {
  const url = new URL(input.registry);
  const server = input.registry.replace(/\/+$/, '');
  const path = join(input.where === 'user' ? input.home : input.cwd, '.yarnrc.yml');
  const berry = await mergeYaml(path, (doc) => {
    const base = input.scope ? ['npmScopes', input.scope.slice(1)] : [];
    doc.setIn([...base, 'npmRegistryServer'], server);
    if (input.token) {
      doc.setIn([...base, 'npmAuthToken'], input.token);
      doc.setIn([...base, 'npmAlwaysAuth'], true);
    }
    if (url.protocol === 'http:') seqUnion(doc, ['unsafeHttpWhitelist'], [url.hostname]);
    seqUnion(doc, ['npmPreapprovedPackages'], [...input.patterns, ...input.exclude]);
  }, input.token !== null);
  return { changes: [berry, await npmrc(input)], notes: [] };
}

/** bun: `bunfig.toml` (`~/.bunfig.toml` with --user): `[install]` registry or scope, token, `minimumReleaseAgeExcludes`. */
async function bun(input: SetupInput): Promise<SetupPlan> {
  const path = input.where === 'user' ? join(input.home, '.bunfig.toml') : join(input.cwd, 'bunfig.toml');
  const before = await readText(path);
  let value: Record<string, any>;
  try {
    value = parseToml(before ?? '');
  } catch (err) {
    throw parseError(path, err);
  }
  const install = (value.install ??= {});
  const target = { url: input.registry.endsWith('/') ? input.registry : `${input.registry}/`, ...(input.token ? { token: input.token } : {}) };
  if (input.scope) (install.scopes ??= {})[input.scope.slice(1)] = target;
  else install.registry = target;
  install.minimumReleaseAgeExcludes = union(install.minimumReleaseAgeExcludes, input.exclude);
  let after: string;
  try {
    after = before ? patchToml(before, value) : patchToml('', value);
  } catch (err) {
    throw parseError(path, err);
  }
  return { changes: [{ path, before, after: after.endsWith('\n') ? after : `${after}\n`, secret: input.token !== null }], notes: [] };
}

/**
 * deno: registry and token in `.npmrc` (Deno reads it); `minimumDependencyAge.exclude` (as `npm:<name>`)
 * in the project's `deno.json` or `deno.jsonc`, edited in place so comments stay. Deno has no
 * user-wide config file: with --user only ~/.npmrc is written.
 */
async function deno(input: SetupInput): Promise<SetupPlan> {
  const changes = [await npmrc(input)];
  if (input.where === 'user') {
    return { changes, notes: ['deno has no user-wide config: run "fw registry setup deno" in each project for the minimumDependencyAge exemption'] };
  }
  const jsonc = join(input.cwd, 'deno.jsonc');
  const path = (await readText(jsonc)) !== null ? jsonc : join(input.cwd, 'deno.json');
  const before = await readText(path);
  const errors: ParseError[] = [];
  const current = parseJsonc(before ?? '{}', errors, { allowTrailingComma: true });
  if (errors.length || typeof current !== 'object' || current === null || Array.isArray(current)) {
    throw parseError(path, new Error(errors.length ? `error ${errors[0]!.error} at offset ${errors[0]!.offset}` : 'the top level is not an object'));
  }
  const age = current.minimumDependencyAge;
  const names = [...input.patterns, ...input.exclude].map((n) => `npm:${n}`);
  const text = before ?? '{}\n';
  const format = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };
  const edits = age !== undefined && (typeof age !== 'object' || age === null || Array.isArray(age))
    // a plain age (minutes, ISO duration, date) moves into the object form
    ? modify(text, ['minimumDependencyAge'], { age, exclude: names }, format)
    : modify(text, ['minimumDependencyAge', 'exclude'], union((age as { exclude?: unknown } | undefined)?.exclude, names), format);
  changes.push({ path, before, after: applyEdits(text, edits), secret: false });
  return { changes, notes: [] };
}

/**
 * The file changes that point `client` at the registry. Nothing is written here.
 * @example
 * const plan = await planSetup('pnpm', { registry, scope: '@acme', token, exclude: ['@acme/ui'], where: 'project', cwd, home, configHome });
 */
export function planSetup(client: SetupClient, input: SetupInput): Promise<SetupPlan> {
  return { npm, pnpm, yarn, bun, deno }[client](input);
}
