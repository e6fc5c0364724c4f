export { SemverGraphError, isSemverGraphError, type SemverGraphErrorCode } from './errors.ts';
export { parseVersion, isValidVersion } from './parse.ts';
export { compareVersions, sortVersions } from './compare.ts';
export { recommendVersion, isBumpType, BUMP_TYPES } from './recommend.ts';
export { buildVersionGraph, validateGraphOptions } from './graph.ts';
export { planRollback, nearestVersions, type RollbackPlan, type RollbackOptions, type TagMove } from './rollback.ts';
export { fetchPackument, packumentUrl, DEFAULT_REGISTRY_URL, type FetchPackumentOptions, type TokenLookup } from './fetch-packument.ts';
export { VersionManager, type HistoryRequest, type RegistryHistory, type RollbackOutcome, type RollbackRequest } from './version-manager.ts';
export type { RegistryHistoryEvent, RegistryRollbackResult } from './_registry.ts';
export type {
  BumpType,
  GraphOptions,
  LinkType,
  Packument,
  PackumentPerson,
  PackumentVersion,
  ParsedVersion,
  Recommendation,
  VersionGraph,
  VersionLink,
  VersionNode,
  VersionStatus,
} from './types.ts';
