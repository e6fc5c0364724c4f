export type {
  ObjectStore, Store, ObjectInfo, StoredObject, StreamedObject, PutBody, PutOptions, PutResult,
  ListOptions, ListResult, UpdateJsonOptions, UpdateJsonResult, StoreConfig,
} from './types.ts';
export { StoreError, isStoreError, type StoreErrorCode } from './errors.ts';
export { keys } from './keys.ts';
