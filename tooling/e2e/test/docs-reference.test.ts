import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/registry-process.ts';

// docs/configuration.md is the reference of every key of registry.config.json5 and every
// environment variable the code reads. The keys come from the RegistryConfig type itself (walked
// with the TypeScript compiler), the variables from the sources that read them.
const doc = readFileSync(join(repoRoot, 'docs/configuration.md'), 'utf8');
// Key paths as the reference table writes them: `uplinks.<name>.url` is the path uplinks.*.url.
const documented = new Set([...doc.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.replace(/<[a-z]+>/g, '*')));

function configKeys(): string[] {
  const file = join(repoRoot, 'packages/registry-server/src/config/types.ts');
  const program = ts.createProgram([file], { strict: true, allowImportingTsExtensions: true, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const root = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'RegistryConfig')!;
  const found = new Map<string, string>();
  const seen = new Set<ts.Type>();
  const walk = (type: ts.Type, path: string) => {
    if (seen.has(type)) return;
    seen.add(type);
    const parts = type.isUnion() ? type.types : [type];
    for (const t of parts) {
      if (checker.isArrayType(t)) { walk(checker.getTypeArguments(t as ts.TypeReference)[0]!, `${path}[]`); continue; }
      const index = t.getStringIndexType();
      if (index) walk(index, `${path}.*`);
      if (!(t.flags & ts.TypeFlags.Object) || t.getCallSignatures().length) continue;
      // Storage drivers have their own reference (docs/r2-deployment.md, the r2-store README).
      if (path === 'storage') continue;
      for (const prop of t.getProperties()) {
        const name = prop.getName();
        found.set(`${path ? `${path}.` : ''}${name}`, name);
        walk(checker.getTypeOfSymbolAtLocation(prop, root), `${path ? `${path}.` : ''}${name}`);
      }
    }
  };
  walk(checker.getTypeAtLocation(root.name), '');
  return [...found.entries()].filter(([path]) => path !== 'source').map(([path]) => path);
}

function envVariables(): string[] {
  const roots = ['packages/registry-server/src/config', 'packages/r2-store/src', 'packages/secrets/src', 'packages/bunx/src', 'apps/cli/src', 'apps/server/src'];
  const names = new Set<string>();
  for (const dir of roots) {
    for (const f of readdirSync(join(repoRoot, dir), { recursive: true }).map(String).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(repoRoot, dir, f), 'utf8');
      for (const m of text.matchAll(/\benv(?:\?)?\.((?:FW|R2|S3|REGISTRY|BUNX|VERSION|SECRETS|AWS)_[A-Z0-9_]+)\b|(?:env\[|get\()['"`]((?:FW|R2|S3|REGISTRY|BUNX|VERSION|SECRETS|AWS)_[A-Z0-9_]+)['"`]/g)) {
        names.add((m[1] ?? m[2])!);
      }
    }
  }
  return [...names].sort();
}

describe('docs/configuration.md is the configuration reference', () => {
  it('names every key of the config types', () => {
    const keys = configKeys();
    expect(keys.length).toBeGreaterThan(30);
    // A key whose value is an object is documented through its leaves (`listen` by `listen.host`...).
    const leaves = keys.filter((path) => !keys.some((other) => other.startsWith(`${path}.`) || other.startsWith(`${path}[].`)));
    const missing = leaves.filter((path) => !documented.has(path));
    expect(missing, 'keys of RegistryConfig that docs/configuration.md does not name').toEqual([]);
  });

  it('names every environment variable the code reads', () => {
    const vars = envVariables();
    expect(vars).toContain('REGISTRY_URL');
    expect(vars.filter((v) => !doc.includes(v)), 'variables docs/configuration.md does not name').toEqual([]);
  });
});
