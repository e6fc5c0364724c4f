export type {
  ObjectStore, Store, ObjectInfo, StoredObject, StreamedObject, PutBody, PutOptions, PutResult,
  ListOptions, ListResult, UpdateJsonOptions, UpdateJsonResult, StoreConfig,
} from './types.ts';
export { StoreError, isStoreError, type StoreErrorCode } from './errors.ts';
export { keys } from './keys.ts';
export { validateKey, MAX_KEY_BYTES } from './validate-key.ts';
export { memoryDriver } from './memory-driver.ts';
export { fsDriver, type FsDriverOptions } from './fs-driver.ts';
export { s3Driver, type S3DriverOptions } from './s3-driver.ts';
export {
  r2Driver, type R2DriverOptions, type R2BucketLike, type R2ObjectLike, type R2ObjectBodyLike, type R2ConditionalLike,
  type R2MultipartUploadLike,
} from './r2-driver.ts';
export { appendLog, sortableId, type AppendLog, type AppendLogReadOptions } from './append-log.ts';
export { wrapStore } from './store.ts';
export { createStore } from './create-store.ts';
export { createStoreFromEnv, storeConfigFromEnv, type StorePurpose, type Env as StoreEnv } from './from-env.ts';
