import type { DecisionInvalidation } from '../invalidation.js';
import { silentLogger } from '../logger.js';
import { withoutSdkRetries } from '../workos.js';
import { workosBackend, type CheckBackend } from './backend.js';
import { filterAuthorized, type FilterOptions, type FilterResult } from './batch.js';
import { CircuitBreaker } from './breaker.js';
import { DecisionCache } from './cache.js';
import { CheckEngine, type RequestScope } from './engine.js';
import { subscribeToInvalidations, type InvalidationSubscription } from './subscriber.js';
import { positive, type CheckClientOptions } from './options.js';
import { SubjectResolver } from './subject.js';
import type { AppSubject, CheckDecision, CheckInput, Subject } from './types.js';

// Members use method syntax on purpose: TypeScript then compares their
// parameters bivariantly, so a client typed with declared permissions is
// assignable to CheckClient<string>, which untyped adapter code accepts.

/** Checks bound to one request: they share a memo and a time budget. */
export interface RequestChecker<P extends string = string> {
  /** Checks one permission; an identical check made earlier in this request is served from the memo. */
  check(input: CheckInput<P>): Promise<CheckDecision>;
  /** Splits items into allowed, denied and undecided; see {@link CheckClient.filterAuthorized}. */
  filterAuthorized<T>(items: readonly T[], options: FilterOptions<P, T>): Promise<FilterResult<T>>;
}

/** Client that checks WorkOS FGA permissions and fails closed. */
export interface CheckClient<P extends string = string> extends RequestChecker<P> {
  /** The declared permission slugs, if any. */
  readonly permissions: readonly P[] | undefined;
  /**
   * Returns the checker of one request, created on first use and kept as long
   * as `request` is reachable. Its checks share a memo and the request time budget.
   */
  forRequest(request: object, options?: { budgetMs?: number }): RequestChecker<P>;
  /**
   * Returns the decision the cache holds for a check, without waiting and
   * without calling WorkOS, or undefined when it is not cached (or the cache
   * is off). A returned decision is reported to `onDecision` like any other.
   */
  peek(input: CheckInput<P>): CheckDecision | undefined;
  /** Drops cached decisions and membership mappings that a change may have made stale. */
  invalidate(invalidation: DecisionInvalidation): void;
  /** Throws a `TypeError` when permissions were declared and `permission` is not one of them. */
  assertPermission(permission: string): asserts permission is P;
  /** Resolves once the invalidation subscription (if any) is live and the cache is in use. */
  ready(): Promise<void>;
  /** Closes the invalidation subscriber, if any. */
  close(): Promise<void>;
}

/**
 * Creates a check client over a `WorkOS` instance.
 *
 * @example
 * ```ts
 * const checks = createCheckClient({ workos, timeoutMs: 2_000 });
 * const decision = await checks.check({
 *   organizationMembershipId: 'om_123',
 *   permission: 'workspace:edit',
 *   resource: { resourceTypeSlug: 'workspace', resourceExternalId: 'ws_1' },
 * });
 * if (decision.status !== 'allowed') {
 *   // denied or undecided: refuse
 * }
 * ```
 */
export function createCheckClient<const P extends string = string>(options: CheckClientOptions<P>): CheckClient<P> {
  // A failed call must reach the circuit breaker and the guard at once, so
  // that an outage answers 503 promptly instead of after the SDK's backoff.
  // The SDK's timeout only frees the socket of a call the client's own
  // timeout already gave up on, so it runs a little longer.
  const timeoutMs = positive('timeoutMs', options.timeoutMs ?? 2_000);
  const workos = withoutSdkRetries(options.workos, timeoutMs + 1_000);
  return createCheckClientWithBackend(workosBackend(workos), options);
}

/** @internal Builds a check client over any backend; the testing kit passes a scripted one. */
export function createCheckClientWithBackend<P extends string>(
  backend: CheckBackend,
  options: Omit<CheckClientOptions<P>, 'workos'>,
): CheckClient<P> {
  const logger = options.logger ?? silentLogger;
  const declared = options.permissions === undefined ? undefined : new Set<string>(options.permissions);
  const requestBudgetMs = positive('requestBudgetMs', options.requestBudgetMs ?? 5_000);
  const cache = options.cache === undefined ? undefined : new DecisionCache(options.cache);
  const subjects = new SubjectResolver(options.membershipLookup, backend, logger, options.subjectCache);

  const engine = new CheckEngine({
    backend,
    subjects,
    cache,
    breaker: options.circuitBreaker === false ? undefined : new CircuitBreaker(options.circuitBreaker),
    timeoutMs: positive('timeoutMs', options.timeoutMs ?? 2_000),
    retryAfterMs: positive('retryAfterMs', options.retryAfterMs ?? 1_000),
    tracing: options.tracing ?? true,
    onDecision: options.onDecision,
    logger,
  });
  const batchConcurrency = positive('batchConcurrency', options.batchConcurrency ?? 8);

  const assertPermission: (permission: string) => asserts permission is P = (permission) => {
    if (declared !== undefined && !declared.has(permission)) {
      throw new TypeError(
        `[fgakit] Unknown permission ${JSON.stringify(permission)}: declare it in the check client's permissions (${[...declared].join(', ')}).`,
      );
    }
  };

  const checkerFor = (scope: RequestScope): RequestChecker<P> => ({
    check: async (input) => {
      assertPermission(input.permission);
      assertSubject(input);
      return engine.decide(input, scope);
    },
    filterAuthorized: async (items, filterOptions) => {
      assertPermission(filterOptions.permission);
      assertSubject(filterOptions.subject);
      return filterAuthorized(engine, scope, items, filterOptions, batchConcurrency);
    },
  });

  const requests = new WeakMap<object, RequestChecker<P>>();
  const unscoped = checkerFor({ memo: undefined, deadline: undefined });
  let subscription: InvalidationSubscription | undefined;
  if (options.invalidation !== undefined) {
    // Until the subscription is live, invalidations could be missed, so the cache stays off.
    engine.suspendCache(true);
    subscription = subscribeToInvalidations(
      options.invalidation.redis,
      options.invalidation.prefix,
      {
        onInvalidation: (invalidation) => engine.invalidate(invalidation),
        onConnectedChange: (connected) => engine.suspendCache(!connected),
      },
      logger,
    );
  }

  return {
    permissions: options.permissions,
    check: (input) => unscoped.check(input),
    filterAuthorized: (items, filterOptions) => unscoped.filterAuthorized(items, filterOptions),
    forRequest(request, requestOptions) {
      let checker = requests.get(request);
      if (checker === undefined) {
        const budgetMs = positive('budgetMs', requestOptions?.budgetMs ?? requestBudgetMs);
        checker = checkerFor({ memo: new Map(), deadline: performance.now() + budgetMs });
        requests.set(request, checker);
      }
      return checker;
    },
    peek(input) {
      assertPermission(input.permission);
      assertSubject(input);
      return engine.peek(input);
    },
    invalidate: (invalidation) => engine.invalidate(invalidation),
    assertPermission,
    async ready() {
      await subscription?.ready;
    },
    async close() {
      await subscription?.close();
    },
  };
}

/**
 * Throws a `TypeError` unless a subject carries a membership id or both app
 * ids as non-empty strings. A malformed subject is a bug in the caller's
 * resolver, and checking it could match another user's membership.
 */
function assertSubject(subject: Subject): void {
  const valid =
    typeof subject === 'object' && subject !== null && 'organizationMembershipId' in subject
      ? isId(subject.organizationMembershipId)
      : isId((subject as Partial<AppSubject>).userId) && isId((subject as Partial<AppSubject>).organizationId);
  if (!valid) {
    throw new TypeError(
      `[fgakit] Invalid subject ${JSON.stringify(subject)}: pass { organizationMembershipId } or { userId, organizationId } as non-empty strings, or no subject at all for an anonymous request.`,
    );
  }
}

function isId(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}
