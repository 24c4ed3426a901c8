export { startEmulator, type Emulator, type StartEmulatorOptions } from './server.js';
export {
  loadSeed,
  readSeedFile,
  SeedError,
  type Seed,
  type SeedGroup,
  type SeedGroupRoleAssignment,
  type SeedMembership,
  type SeedOrganization,
  type SeedPermission,
  type SeedResource,
  type SeedResourceType,
  type SeedRole,
  type SeedRoleAssignment,
  type SeedUser,
} from './seed.js';
export { validateSeed } from './seed-validation.js';
export { DEFAULT_SETTINGS, type EmulatorSettings } from './settings.js';
export { normalizeFaultRule, type FaultKind, type FaultRule, type FaultRuleInput } from './faults.js';
export type { RequestLogEntry } from './request-log.js';
export type { CheckExplanation, ExplainInput, ExplainedGrant, ExplainedResource } from './explain.js';
export type { EmulatorLogger } from './logger.js';
export type { StateSnapshot } from './state.js';
export { ApiError, type ErrorBody, type FieldError } from './errors.js';
