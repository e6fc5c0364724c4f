export { VersionManager, type VersionManagerOptions } from './version-manager.ts';
export { RegistrySecretsManager, type SecretsOptions } from './secrets-manager.ts';
export { BunXIntegration } from './runner.ts';
export { NPMRegistryServer, loadRegistryConfig, type LoadConfigOptions, type ServerDeps } from '@factorywager/registry-server/node';
export { createRegistryHandler, type RegistryConfig, type RegistryHandler } from '@factorywager/registry-server';
export { createStore, createStoreFromEnv, type Store, type StoreConfig } from '@factorywager/r2-store';
export { parseVersion, compareVersions, sortVersions, recommendVersion, buildVersionGraph, planRollback } from '@factorywager/semver-graph';
export type { VersionGraph, Packument, ParsedVersion, BumpType } from '@factorywager/semver-graph';
export { renderAscii, renderMermaid, renderSvg, toD3Json, renderHistoryAscii } from '@factorywager/graph-render';
export type { BunXOptions, ExecuteOptions } from '@factorywager/bunx';
export type { SecretVersionInfo, SecretSummary, WriteOptions } from '@factorywager/secrets';

// Each package's whole public API, under its own name.
export * as semverGraph from '@factorywager/semver-graph';
export * as graphRender from '@factorywager/graph-render';
export * as store from '@factorywager/r2-store';
export * as secrets from '@factorywager/secrets';
export * as registryServer from '@factorywager/registry-server';
export * as registryServerNode from '@factorywager/registry-server/node';
export * as bunx from '@factorywager/bunx';
