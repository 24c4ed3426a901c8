import type { WorkOS } from '@workos-inc/node';
import type { Redis } from 'ioredis';

import type { Logger } from '../logger.js';
import type { CircuitBreakerOptions } from './breaker.js';
import type { DecisionCacheOptions } from './cache.js';
import type { SubjectCacheOptions } from './subject.js';
import type { DecisionEvent, MembershipLookup } from './types.js';

/** Options of {@link createCheckClient}. */
export interface CheckClientOptions<P extends string = string> {
  /** WorkOS client the checks go through. */
  workos: WorkOS;
  /**
   * The app's permission slugs, declared once (`as const`). When given, a
   * check or guard with any other slug fails to compile, and at run time
   * throws a `TypeError`.
   */
  permissions?: readonly P[];
  /**
   * Time budget of one WorkOS check, in milliseconds. A check that takes
   * longer is `undecided` with reason `timeout`.
   * @defaultValue 2000
   */
  timeoutMs?: number;
  /**
   * Time budget of all the checks of one request (see `forRequest`), in milliseconds.
   * @defaultValue 5000
   */
  requestBudgetMs?: number;
  /**
   * `Retry-After` suggested with undecided decisions other than an open circuit, in milliseconds.
   * @defaultValue 1000
   */
  retryAfterMs?: number;
  /** Maps app user and organization ids to membership ids, usually the sync store. */
  membershipLookup?: MembershipLookup;
  /** Caching of app ids to membership ids. */
  subjectCache?: SubjectCacheOptions;
  /**
   * Cross-request decision cache. Off unless given; pass `{}` for the defaults.
   * Pair it with `invalidation` so changes applied by the sync worker drop stale decisions.
   */
  cache?: DecisionCacheOptions;
  /**
   * Subscribes to the invalidations the sync worker publishes. The client
   * opens its own subscriber connection with `redis.duplicate()`; `close()`
   * closes it.
   */
  invalidation?: {
    redis: Redis;
    /** Queue prefix shared with the sync worker. */
    prefix: string;
  };
  /** Circuit breaker settings, or `false` to turn it off. */
  circuitBreaker?: CircuitBreakerOptions | false;
  /**
   * Maximum number of WorkOS checks one `filterAuthorized` call runs at once.
   * @defaultValue 8
   */
  batchConcurrency?: number;
  /** Called after every check, for audit logs. Errors it throws are logged and ignored. */
  onDecision?: (event: DecisionEvent) => void;
  /**
   * Creates OpenTelemetry spans through `@opentelemetry/api` when it is installed.
   * @defaultValue true
   */
  tracing?: boolean;
  /** Logger for upstream failures and circuit changes. */
  logger?: Logger;
}

/** Checks that a number option is positive and finite. */
export function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`[fgakit] Invalid ${name} ${value}: pass a positive number.`);
  }
  return value;
}
