export { syncUpload, type SyncOptions, type SyncTargets, type SyncProgress, type SyncUploadReport } from './upload.ts';
export { syncStatus, type SyncStatus } from './status.ts';
export { fileJournal, memoryJournal, type SyncJournal } from './journal.ts';
export { classifyKey, mayTravel, SYNC_PREFIXES, type ClassifyOptions, type SyncEntry, type SyncKind } from './classify.ts';
export { SyncError, type SyncErrorCode } from './errors.ts';
