/** What an exported symbol is, as the TypeScript compiler sees it. */
export type SymbolKind = 'function' | 'class' | 'interface' | 'type' | 'variable' | 'enum' | 'namespace';

/** One export of a package's type declarations. */
export interface DocSymbol {
  name: string;
  kind: SymbolKind;
  /** The declaration as the compiler prints it, e.g. `(a: string, b?: number) => string`. */
  signature?: string;
  /** The TSDoc/JSDoc summary. */
  doc?: string;
}

/** A package's docs as the cache keeps them. */
export interface PackageDocs {
  name: string;
  version: string;
  description?: string;
  /** Every published version, oldest first. */
  versions: string[];
  distTags: Record<string, string>;
  homepage?: string;
  repository?: string;
  license?: string;
  keywords?: string[];
  /** The types entry of the fetched version (`types`, `typings`, `exports["."].types`), when it has one. */
  types?: string;
  readme: string;
  symbols: DocSymbol[];
  /** Where the docs came from. */
  registry: string;
  fetchedAt: string;
}
