// The Node/Bun entry of the package: what reads files or listens on sockets. Kept out of
// src/index.ts so the core stays free of `node:` imports (Workers).
export { loadRegistryConfig, DEFAULT_CONFIG_FILE, type LoadConfigOptions } from './config/load.ts';
export { NPMRegistryServer, stopOnSignal, type ServerDeps } from './server.ts';
export { defaultConfig } from './config/default-config.ts';
export { npmConfigRegistry, withNpmUpstream, type NpmRegistry } from './config/npm-registry.ts';
export { readTarball, type TarballFacts, type TarballLimits, type TarballReader } from './packages/tarball-reader.ts';
export { offThreadTarballReader, type OffThreadOptions, type OffThreadTarballReader } from './packages/tarball-worker.ts';
