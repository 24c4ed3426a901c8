export { createWorkOS, type CreateWorkOSOptions } from './workos.js';
export { silentLogger, type Logger } from './logger.js';
export { invalidationChannel, type DecisionInvalidation } from './invalidation.js';
