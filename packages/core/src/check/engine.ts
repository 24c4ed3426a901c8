import type { DecisionInvalidation } from '../invalidation.js';
import type { Logger } from '../logger.js';
import { isNotFound, isRequestRejection, type CheckBackend } from './backend.js';
import type { CircuitBreaker } from './breaker.js';
import { decisionKey, type DecisionCache } from './cache.js';
import { BudgetExhaustedError, CheckTimeoutError, CircuitOpenError, toError, withTimeout } from './errors.js';
import type { SubjectResolver } from './subject.js';
import { loadTracer, startCheckSpan, type TracerLike } from './tracing.js';
import type { CheckDecision, CheckInput, DecisionEvent, DecisionSource, ResourceRef, Subject } from './types.js';

/** Memo and deadline shared by the checks of one request. */
export interface RequestScope {
  memo: Map<string, Promise<CheckDecision>> | undefined;
  /** `performance.now()` value after which no new check starts. */
  deadline: number | undefined;
}

/** An upstream result before it is shaped into a decision for one caller. */
type UpstreamOutcome =
  | { kind: 'allowed' }
  | { kind: 'denied' }
  | { kind: 'not_found' }
  | { kind: 'failed'; reason: 'timeout' | 'upstream_error' | 'circuit_open'; error: Error; retryAfterMs: number };

export interface EngineSettings {
  backend: CheckBackend;
  subjects: SubjectResolver;
  cache: DecisionCache | undefined;
  breaker: CircuitBreaker | undefined;
  timeoutMs: number;
  retryAfterMs: number;
  tracing: boolean;
  onDecision: ((event: DecisionEvent) => void) | undefined;
  logger: Logger;
}

// Shared and frozen: the synchronous cache path allocates nothing per check.
const CACHED_ALLOWED: CheckDecision = Object.freeze({ status: 'allowed', source: 'cache' });
const CACHED_DENIED: CheckDecision = Object.freeze({ status: 'denied', source: 'cache', reason: 'not_authorized' });

/**
 * The decision path of the check client: membership resolution, per-request
 * memo, cross-request cache, coalescing of identical in-flight checks, time
 * budgets and the circuit breaker.
 */
export class CheckEngine {
  readonly #settings: EngineSettings;
  readonly #inFlight = new Map<string, Promise<UpstreamOutcome>>();
  #tracer: TracerLike | undefined;
  /** Pending load of the tracer; undefined once loaded or when tracing is off. */
  #tracerLoading: Promise<void> | undefined;
  #cacheSuspended = false;

  constructor(settings: EngineSettings) {
    this.#settings = settings;
    if (settings.tracing) {
      this.#tracerLoading = loadTracer().then((tracer) => {
        this.#tracer = tracer;
        this.#tracerLoading = undefined;
      });
    }
  }

  /** The upstream the engine calls. */
  get backend(): CheckBackend {
    return this.#settings.backend;
  }

  /** The injected logger. */
  get logger(): Logger {
    return this.#settings.logger;
  }

  /** Resolves a subject to its membership id. Rejects when the lookup fails. */
  async resolveMembership(subject: Subject): Promise<string | undefined> {
    if ('organizationMembershipId' in subject) {
      return subject.organizationMembershipId;
    }
    return this.#settings.subjects.resolve(subject.userId, subject.organizationId, performance.now());
  }

  /** Makes one check and reports it to the hook and the tracer. */
  async decide(input: CheckInput, scope: RequestScope): Promise<CheckDecision> {
    const started = performance.now();
    if (this.#tracerLoading !== undefined) {
      // Only the first checks wait, so that they are traced too.
      await this.#tracerLoading;
    }
    const endSpan = startCheckSpan(this.#tracer, input.permission, input.resource);

    let organizationMembershipId: string | undefined;
    let decision: CheckDecision;
    try {
      organizationMembershipId =
        'organizationMembershipId' in input ? input.organizationMembershipId : await this.#withBudget(this.resolveMembership(input), scope);
      decision =
        organizationMembershipId === undefined
          ? { status: 'denied', source: 'upstream', reason: 'no_membership' }
          : await this.decideForMembership(organizationMembershipId, input.permission, input.resource, scope);
    } catch (error) {
      decision = this.#undecided(error instanceof BudgetExhaustedError ? 'budget_exhausted' : 'subject_lookup_failed', toError(error));
    }

    endSpan(decision, organizationMembershipId);
    this.#reportCheck(input, organizationMembershipId, decision, started);
    return decision;
  }

  /**
   * Returns a decision stored in the cache without waiting, or undefined when
   * the check needs the asynchronous path. Reports to the hook and the
   * tracer as {@link decide} does. Guards use it so that a cached decision
   * costs no promise.
   */
  peek(input: CheckInput): CheckDecision | undefined {
    const cache = this.#settings.cache;
    if (cache === undefined || this.#cacheSuspended || this.#tracerLoading !== undefined) {
      return undefined;
    }

    const started = performance.now();
    const organizationMembershipId =
      'organizationMembershipId' in input ? input.organizationMembershipId : this.#settings.subjects.peek(input.userId, input.organizationId, started);
    if (organizationMembershipId === undefined) {
      return undefined;
    }

    const cached = cache.get(decisionKey(organizationMembershipId, input.permission, input.resource), started);
    if (cached === undefined) {
      return undefined;
    }

    const decision = cached ? CACHED_ALLOWED : CACHED_DENIED;
    if (this.#tracer !== undefined) {
      startCheckSpan(this.#tracer, input.permission, input.resource)(decision, organizationMembershipId);
    }
    this.#reportCheck(input, organizationMembershipId, decision, started);
    return decision;
  }

  /** Checks a resolved membership through memo, cache, coalescing and the breaker. */
  async decideForMembership(organizationMembershipId: string, permission: string, resource: ResourceRef, scope: RequestScope): Promise<CheckDecision> {
    const key = decisionKey(organizationMembershipId, permission, resource);

    const memoized = scope.memo?.get(key);
    if (memoized !== undefined) {
      return { ...(await memoized), source: 'memo' };
    }

    const pending = this.#decideUncached(key, organizationMembershipId, permission, resource, scope);
    scope.memo?.set(key, pending);
    return pending;
  }

  #reportCheck(input: CheckInput, organizationMembershipId: string | undefined, decision: CheckDecision, started: number): void {
    // Builds the event only when someone listens: this runs on every guarded request.
    if (this.#settings.onDecision === undefined) {
      return;
    }

    this.report({
      subject: subjectOf(input),
      organizationMembershipId,
      permission: input.permission,
      resource: input.resource,
      decision,
      cached: decision.source !== 'upstream',
      latencyMs: performance.now() - started,
    });
  }

  /** Passes a decision to the `onDecision` hook, logging what the hook throws. */
  report(event: DecisionEvent): void {
    if (this.#settings.onDecision === undefined) {
      return;
    }

    try {
      this.#settings.onDecision(event);
    } catch (error) {
      this.#settings.logger.error({ err: error, permission: event.permission }, 'onDecision hook failed; the decision is unchanged');
    }
  }

  /** Applies an invalidation to the decision cache, the in-flight map and the membership mappings. */
  invalidate(invalidation: DecisionInvalidation): void {
    this.#settings.cache?.invalidate(invalidation);
    this.#settings.subjects.invalidate(invalidation);

    // Checks started before the change must not be joined by callers that come after it.
    this.#inFlight.clear();
  }

  /**
   * Stops reading and writing the cache while invalidations may be missed
   * (the subscriber is disconnected), and drops everything cached.
   */
  suspendCache(suspended: boolean): void {
    this.#cacheSuspended = suspended;
    this.invalidate({ kind: 'all' });
  }

  /** Runs a backend call with the breaker and the check time budget. */
  async callUpstream<T>(call: () => Promise<T>, timeoutMs: number): Promise<T> {
    const breaker = this.#settings.breaker;
    const waitMs = breaker?.acquire(performance.now()) ?? 0;
    if (waitMs > 0) {
      throw new CircuitOpenError(waitMs);
    }

    try {
      const result = await withTimeout(call(), timeoutMs);
      breaker?.recordSuccess();
      return result;
    } catch (error) {
      if (isRequestRejection(error)) {
        breaker?.recordSuccess();
      } else if (breaker?.recordFailure(performance.now()) === true) {
        this.#settings.logger.warn({ err: error }, 'WorkOS checks failing repeatedly; circuit breaker opened');
      }
      throw error;
    }
  }

  /** Milliseconds left in a request's budget, capped by the check timeout. */
  remainingMs(scope: RequestScope): number {
    if (scope.deadline === undefined) {
      return this.#settings.timeoutMs;
    }
    return Math.min(this.#settings.timeoutMs, scope.deadline - performance.now());
  }

  async #decideUncached(key: string, organizationMembershipId: string, permission: string, resource: ResourceRef, scope: RequestScope): Promise<CheckDecision> {
    const cache = this.#cacheSuspended ? undefined : this.#settings.cache;
    const cached = cache?.get(key, performance.now());
    if (cached !== undefined) {
      return cached ? CACHED_ALLOWED : CACHED_DENIED;
    }

    const budgetMs = this.remainingMs(scope);
    if (budgetMs <= 0) {
      return this.#undecided('budget_exhausted', new BudgetExhaustedError());
    }

    let source: DecisionSource = 'coalesced';
    let shared = this.#inFlight.get(key);
    if (shared === undefined) {
      source = 'upstream';
      shared = this.#startUpstream(key, organizationMembershipId, permission, resource);
    }

    let outcome: UpstreamOutcome;
    try {
      // A caller with less budget left than the shared call stops waiting early.
      outcome = budgetMs < this.#settings.timeoutMs ? await withTimeout(shared, budgetMs) : await shared;
    } catch (error) {
      outcome = { kind: 'failed', reason: 'timeout', error: toError(error), retryAfterMs: this.#settings.retryAfterMs };
    }

    switch (outcome.kind) {
      case 'allowed':
        return { status: 'allowed', source };
      case 'denied':
        return { status: 'denied', source, reason: 'not_authorized' };
      case 'not_found':
        return { status: 'denied', source, reason: 'not_found' };
      case 'failed':
        return { status: 'undecided', source, reason: outcome.reason, error: outcome.error, retryAfterMs: outcome.retryAfterMs };
    }
  }

  #startUpstream(key: string, organizationMembershipId: string, permission: string, resource: ResourceRef): Promise<UpstreamOutcome> {
    const cache = this.#cacheSuspended ? undefined : this.#settings.cache;
    const generation = cache?.generation ?? 0;

    const shared = this.callUpstream(() => this.#settings.backend.check(organizationMembershipId, permission, resource), this.#settings.timeoutMs).then(
      (allowed): UpstreamOutcome => {
        cache?.set(key, { allowed, organizationMembershipId, resource }, generation, performance.now());
        return { kind: allowed ? 'allowed' : 'denied' };
      },
      (error: unknown): UpstreamOutcome => this.#failureOutcome(error, { organizationMembershipId, permission }),
    );

    this.#inFlight.set(key, shared);
    void shared.finally(() => {
      if (this.#inFlight.get(key) === shared) {
        this.#inFlight.delete(key);
      }
    });
    return shared;
  }

  #failureOutcome(error: unknown, context: Record<string, string>): UpstreamOutcome {
    if (isNotFound(error)) {
      // Not cached: the resource or membership may be about to be created by sync.
      return { kind: 'not_found' };
    }

    if (error instanceof CircuitOpenError) {
      return { kind: 'failed', reason: 'circuit_open', error, retryAfterMs: error.retryAfterMs };
    }

    const reason = error instanceof CheckTimeoutError ? 'timeout' : 'upstream_error';
    this.#settings.logger.warn({ err: error, reason, ...context }, 'WorkOS check failed; the decision is undecided');
    return { kind: 'failed', reason, error: toError(error), retryAfterMs: this.#settings.retryAfterMs };
  }

  async #withBudget<T>(promise: Promise<T>, scope: RequestScope): Promise<T> {
    const budgetMs = this.remainingMs(scope);
    if (budgetMs <= 0) {
      throw new BudgetExhaustedError();
    }
    return withTimeout(promise, budgetMs);
  }

  #undecided(reason: 'subject_lookup_failed' | 'budget_exhausted', error: Error): CheckDecision {
    return { status: 'undecided', source: 'upstream', reason, error, retryAfterMs: this.#settings.retryAfterMs };
  }
}

function subjectOf(input: CheckInput): Subject {
  return 'organizationMembershipId' in input
    ? { organizationMembershipId: input.organizationMembershipId }
    : { userId: input.userId, organizationId: input.organizationId };
}
