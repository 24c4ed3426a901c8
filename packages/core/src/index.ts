export { createWorkOS, withoutSdkRetries, type CreateWorkOSOptions } from './workos.js';
export { silentLogger, type Logger } from './logger.js';
export { invalidationChannel, type DecisionInvalidation } from './invalidation.js';
export * from './check/index.js';
export * from './sync/index.js';
export { hashTaggedPrefix, type RedisConnection } from './redis.js';
