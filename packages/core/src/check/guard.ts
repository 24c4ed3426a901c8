import type { CheckClient, RequestChecker } from './client.js';
import type { CheckDecision, ResourceRef, Subject, UndecidedReason } from './types.js';

/** One permission, or a set of which any one or all must be held. */
export type PermissionRequirement<P extends string = string> = P | { anyOf: readonly P[] } | { allOf: readonly P[] };

/** The result of a guard, before an adapter turns it into a response. */
export type GuardResult =
  | { outcome: 'allowed'; decisions: CheckDecision[] }
  | { outcome: 'unauthenticated'; decisions: CheckDecision[] }
  | { outcome: 'denied'; decisions: CheckDecision[] }
  | { outcome: 'undecided'; decisions: CheckDecision[]; reason: UndecidedReason; retryAfterMs: number };

/** Options every adapter's guards share. */
export interface GuardResponseOptions {
  /**
   * Respond 404 instead of 403 on denial, so a caller cannot tell whether the resource exists.
   * @defaultValue false
   */
  hideDenied?: boolean;
}

/** An HTTP response an adapter writes as is. */
export interface GuardResponse {
  status: 401 | 403 | 404 | 503;
  headers: Record<string, string>;
  /** RFC 9457 problem details, sent as `application/problem+json`. */
  body: { type: string; title: string; status: number; detail: string; reason?: string };
}

/** Content type of guard error bodies (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Lists the permissions of a requirement; throws a TypeError on an empty set. */
export function permissionsOf<P extends string>(requirement: PermissionRequirement<P>): readonly P[] {
  if (typeof requirement === 'string') {
    return [requirement];
  }

  const list = 'anyOf' in requirement ? requirement.anyOf : requirement.allOf;
  if (list.length === 0) {
    throw new TypeError('[fgakit] Invalid permission requirement: anyOf and allOf need at least one permission.');
  }
  return list;
}

/**
 * Evaluates a guard: resolves the resource (only when there is a subject),
 * checks every permission of the requirement and combines the decisions,
 * failing closed.
 */
export async function evaluateGuard<P extends string>(
  checker: RequestChecker<P>,
  subject: Subject | undefined,
  requirement: PermissionRequirement<P>,
  resolveResource: () => ResourceRef | Promise<ResourceRef>,
): Promise<GuardResult> {
  // Resolvers written as `session && { … }` give null or false without a session.
  if (subject == null || (subject as unknown) === false) {
    return { outcome: 'unauthenticated', decisions: [] };
  }

  const resource = await resolveResource();
  const permissions = permissionsOf(requirement);
  const decisions = await Promise.all(permissions.map(async (permission) => checker.check({ ...subject, permission, resource })));
  return combineDecisions(requirement, decisions);
}

/**
 * Runs a guard for one request. When both resolvers return plain values and
 * the cache holds every decision, the result comes back synchronously, with
 * no promise: that keeps a cached guard cheap on every request. Otherwise it
 * takes the asynchronous path through the request's memo and time budget.
 * It never throws: a resolver that throws gives a rejected promise, which
 * adapters pass to the framework's error handling.
 */
export function runGuard<P extends string>(
  checks: CheckClient<P>,
  request: object,
  resolveSubject: () => Subject | undefined | Promise<Subject | undefined>,
  requirement: PermissionRequirement<P>,
  resolveResource: () => ResourceRef | Promise<ResourceRef>,
  budget?: { budgetMs?: number },
): GuardResult | Promise<GuardResult> {
  try {
    const subject = resolveSubject();
    if (isThenable(subject)) {
      return Promise.resolve(subject).then(async (resolved) => evaluateGuard(checks.forRequest(request, budget), resolved, requirement, resolveResource));
    }

    if (subject == null || (subject as unknown) === false) {
      return { outcome: 'unauthenticated', decisions: [] };
    }

    const resource = resolveResource();
    if (isThenable(resource)) {
      return evaluateGuard(checks.forRequest(request, budget), subject, requirement, async () => resource);
    }

    const cached = peekAll(checks, subject, requirement, resource);
    return cached ?? evaluateGuard(checks.forRequest(request, budget), subject, requirement, () => resource);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Returns true when a value is a promise or another thenable. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function peekAll<P extends string>(checks: CheckClient<P>, subject: Subject, requirement: PermissionRequirement<P>, resource: ResourceRef): GuardResult | undefined {
  if (typeof requirement === 'string') {
    const decision = checks.peek({ ...subject, permission: requirement, resource });
    return decision === undefined ? undefined : combineDecisions(requirement, [decision]);
  }

  const decisions: CheckDecision[] = [];
  for (const permission of permissionsOf(requirement)) {
    const decision = checks.peek({ ...subject, permission, resource });
    if (decision === undefined) {
      return undefined;
    }
    decisions.push(decision);
  }
  return combineDecisions(requirement, decisions);
}

/**
 * Combines the decisions of a requirement, failing closed. With `anyOf`, one
 * allowed decision is enough; with `allOf`, one denial is enough to deny.
 * Otherwise any undecided decision makes the result undecided.
 */
function combineDecisions<P extends string>(requirement: PermissionRequirement<P>, decisions: CheckDecision[]): GuardResult {
  // One permission, the common case on a hot path: no intermediate arrays.
  const only = decisions.length === 1 ? decisions[0] : undefined;
  if (only !== undefined) {
    return only.status === 'undecided'
      ? { outcome: 'undecided', decisions, reason: only.reason, retryAfterMs: only.retryAfterMs }
      : { outcome: only.status, decisions };
  }

  const anyOf = typeof requirement !== 'string' && 'anyOf' in requirement;
  const allowed = decisions.filter((decision) => decision.status === 'allowed').length;
  const denied = decisions.some((decision) => decision.status === 'denied');
  const undecided = decisions.find((decision) => decision.status === 'undecided');

  if (anyOf ? allowed > 0 : allowed === decisions.length) {
    return { outcome: 'allowed', decisions };
  }
  if (undecided !== undefined && (anyOf || !denied)) {
    return { outcome: 'undecided', decisions, reason: undecided.reason, retryAfterMs: undecided.retryAfterMs };
  }
  return { outcome: 'denied', decisions };
}

/**
 * Prepares a route guard when the route is added: checks its permissions
 * against the client's declared ones (so a misspelled slug fails at start,
 * not on the first request) and settles its response options, the route's
 * own over the app's.
 *
 * @throws TypeError for a permission the client does not declare, or an empty set.
 */
export function prepareGuard<P extends string>(
  checks: CheckClient<P>,
  requirement: PermissionRequirement<P>,
  routeOptions: GuardResponseOptions | undefined,
  appOptions: GuardResponseOptions,
): Required<GuardResponseOptions> {
  for (const permission of permissionsOf(requirement)) {
    checks.assertPermission(permission);
  }

  return { hideDenied: routeOptions?.hideDenied ?? appOptions.hideDenied ?? false };
}

/** Builds the default response of a guard that did not allow the request. */
export function guardResponse(result: Exclude<GuardResult, { outcome: 'allowed' }>, options: GuardResponseOptions = {}): GuardResponse {
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };

  switch (result.outcome) {
    case 'unauthenticated':
      return {
        status: 401,
        headers,
        body: { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'The request does not identify a subject.' },
      };
    case 'denied':
      return options.hideDenied === true
        ? { status: 404, headers, body: { type: 'about:blank', title: 'Not Found', status: 404, detail: 'The resource was not found.' } }
        : {
            status: 403,
            headers,
            body: { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'The subject lacks the permission this route requires.' },
          };
    case 'undecided':
      headers['retry-after'] = String(Math.max(1, Math.ceil(result.retryAfterMs / 1000)));
      return {
        status: 503,
        headers,
        body: {
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          detail: 'The authorization check could not be made; retry later.',
          reason: result.reason,
        },
      };
  }
}
