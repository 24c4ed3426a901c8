export { createSync, type CreateSyncOptions, type Sync, type WaitOptions } from './sync.js';
export {
  createSyncWorker,
  type AppliedEvent,
  type CreateSyncWorkerOptions,
  type FailedEvent,
  type PausedEvent,
  type RateLimitedEvent,
  type RetryingEvent,
  type SyncWorker,
  type SyncWorkerEvents,
} from './worker.js';
export { SyncFailedError, SyncInputError, SyncTimeoutError, classifyWorkOSError, type ClassifiedFailure, type FailureKind } from './errors.js';
export { entityKey, parseEntityKey } from './keys.js';
export { PRIORITY, type SyncJobData } from './jobs.js';
export { DesiredStateStore, type EntityProgress } from './store.js';
export type * from './types.js';
export { reconcile, type Drift, type ReconcileOptions, type ReconcileProgress, type ReconcileReport, type SourceEntity } from './reconcile.js';
export { importJsonl, type ImportOptions, type ImportProgress, type ImportReport } from './import.js';
export { planChange, type Change, type SyncOperation, type SyncOperationInputs, type MembershipState } from './changes.js';
