import type ts from 'typescript';
import type { DocSymbol, SymbolKind } from './types.ts';

const ROOT = '/pkg/';

function kindOf(ts: typeof import('typescript'), flags: ts.SymbolFlags): SymbolKind | null {
  if (flags & ts.SymbolFlags.Class) return 'class';
  if (flags & ts.SymbolFlags.Enum) return 'enum';
  if (flags & ts.SymbolFlags.Function) return 'function';
  if (flags & ts.SymbolFlags.Interface) return 'interface';
  if (flags & ts.SymbolFlags.TypeAlias) return 'type';
  if (flags & ts.SymbolFlags.Variable) return 'variable';
  if (flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule)) return 'namespace';
  return null;
}

/**
 * The exported symbols of a package's type declarations, read with the TypeScript compiler API:
 * a program over the package's own `.d.ts` files (in memory, no default lib, nothing else resolved),
 * the entry file's module symbol, `getExportsOfModule`, aliases (re-exports, `export *`) followed
 * to their declarations. `files` maps paths inside the package (`index.d.ts`, `lib/a.d.ts`) to text.
 * @example
 * await extractSymbols(new Map([['index.d.ts', 'export declare function pad(s: string): string;']]), 'index.d.ts');
 * // [{ name: 'pad', kind: 'function', signature: '(s: string) => string' }]
 */
export async function extractSymbols(files: ReadonlyMap<string, string>, entry: string): Promise<DocSymbol[]> {
  // Loaded on first use: the compiler is large, and only pkg:fetch needs it.
  const ts = (await import('typescript')).default;
  const abs = (p: string) => `${ROOT}${p.replace(/^\.?\//, '')}`;
  const sources = new Map([...files].map(([p, text]) => [abs(p), text]));
  const options: ts.CompilerOptions = {
    noLib: true, noResolve: false, types: [], skipLibCheck: true, noEmit: true,
    module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022,
  };
  const host: ts.CompilerHost = {
    getSourceFile: (name, lang) => {
      const text = sources.get(name);
      return text === undefined ? undefined : ts.createSourceFile(name, text, lang, true);
    },
    getDefaultLibFileName: () => '/lib.d.ts',
    writeFile: () => {},
    getCurrentDirectory: () => ROOT,
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (f) => sources.has(f),
    readFile: (f) => sources.get(f),
    directoryExists: (d) => [...sources.keys()].some((k) => k.startsWith(d.endsWith('/') ? d : `${d}/`)),
    getDirectories: () => [],
  };
  const entryPath = abs(entry);
  const program = ts.createProgram([entryPath], options, host);
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(entryPath);
  if (!sf) return [];
  const moduleSymbol = checker.getSymbolAtLocation(sf);
  if (!moduleSymbol) return [];
  const out: DocSymbol[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const kind = kindOf(ts, target.flags);
    if (!kind) continue;
    const decl = target.valueDeclaration ?? target.declarations?.[0];
    let signature: string | undefined;
    if (decl) {
      const type = checker.getTypeOfSymbolAtLocation(target, decl);
      if (kind === 'function') {
        const sig = type.getCallSignatures()[0];
        if (sig) signature = checker.signatureToString(sig);
      } else if (kind === 'variable') {
        signature = checker.typeToString(type);
      } else if (kind === 'type') {
        signature = checker.typeToString(checker.getDeclaredTypeOfSymbol(target), undefined, ts.TypeFormatFlags.InTypeAlias | ts.TypeFormatFlags.NoTruncation);
      }
    }
    const doc = ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
    out.push({ name: exported.name === 'default' ? 'default' : exported.name, kind, ...(signature ? { signature } : {}), ...(doc ? { doc } : {}) });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
