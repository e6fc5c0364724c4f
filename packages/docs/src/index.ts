export { fetchPackageDocs, type RegistryAccess } from './fetch-docs.ts';
export { extractSymbols } from './symbols.ts';
export { DocsCache, docFileName } from './cache.ts';
export { searchDocs, searchLocal, mergeSearch, type SearchHit, type RegistrySearchResult } from './search.ts';
export { createDocset, type DocsetOptions, type DocsetResult } from './docset.ts';
export { DocsError, type DocsErrorCode } from './errors.ts';
export type { PackageDocs, DocSymbol, SymbolKind } from './types.ts';
