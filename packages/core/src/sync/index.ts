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
