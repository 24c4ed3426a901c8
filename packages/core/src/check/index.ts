export { createCheckClient, type CheckClient, type RequestChecker } from './client.js';
export type { CheckClientOptions } from './options.js';
export type { FilterOptions, FilterResult } from './batch.js';
export type { CircuitBreakerOptions } from './breaker.js';
export type { DecisionCacheOptions } from './cache.js';
export type { SubjectCacheOptions } from './subject.js';
export { BudgetExhaustedError, CheckTimeoutError, CircuitOpenError } from './errors.js';
export {
  evaluateGuard,
  guardResponse,
  isThenable,
  runGuard,
  permissionsOf,
  prepareGuard,
  PROBLEM_CONTENT_TYPE,
  type GuardResponse,
  type GuardResponseOptions,
  type GuardResult,
  type PermissionRequirement,
} from './guard.js';
export type {
  AppSubject,
  CheckDecision,
  CheckInput,
  DecisionEvent,
  DecisionSource,
  DenialReason,
  MembershipLookup,
  MembershipSubject,
  ResourceRef,
  Subject,
  UndecidedReason,
} from './types.js';
