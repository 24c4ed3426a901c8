/**
 * A WorkOS authorization resource, addressed by its WorkOS id or by its
 * resource type and the app's own id for it (its `external_id`).
 */
export type ResourceRef =
  | { resourceId: string }
  | { resourceTypeSlug: string; resourceExternalId: string };

/** A subject given by its WorkOS organization membership id (`om_…`). */
export interface MembershipSubject {
  organizationMembershipId: string;
}

/**
 * A subject given by the app's own ids: the `external_id` of the WorkOS user
 * and of the WorkOS organization. The check client resolves it to a
 * membership id.
 */
export interface AppSubject {
  userId: string;
  organizationId: string;
}

/** The party whose permission is checked. */
export type Subject = MembershipSubject | AppSubject;

/** One check: may this subject use this permission on this resource? */
export type CheckInput<P extends string = string> = Subject & {
  /** Permission slug, for example `workspace:edit`. */
  permission: P;
  resource: ResourceRef;
};

/** Origin of a decision. */
export type DecisionSource =
  /** A WorkOS check made for this call. */
  | 'upstream'
  /** A WorkOS check already in flight for an identical call, which this call joined. */
  | 'coalesced'
  /** The cross-request decision cache. */
  | 'cache'
  /** An identical check made earlier in the same request. */
  | 'memo';

/** Reason for a denial. */
export type DenialReason =
  /** WorkOS checked and returned `authorized: false`. */
  | 'not_authorized'
  /** WorkOS does not know the membership or the resource (HTTP 404). */
  | 'not_found'
  /** The app's user has no membership in the organization. */
  | 'no_membership';

/** Cause of an undecided result. */
export type UndecidedReason =
  /** The WorkOS check took longer than its time budget. */
  | 'timeout'
  /** The request's overall time budget was used up before this check started. */
  | 'budget_exhausted'
  /** WorkOS failed (network error, 5xx, rate limit, unexpected response). */
  | 'upstream_error'
  /** The circuit breaker is open after repeated upstream failures. */
  | 'circuit_open'
  /** The membership of an app subject could not be looked up. */
  | 'subject_lookup_failed';

/**
 * The result of a check. Only `allowed` grants access: `undecided` means the
 * check could not be made and callers must treat it as a refusal.
 */
export type CheckDecision =
  | { status: 'allowed'; source: DecisionSource }
  | { status: 'denied'; source: DecisionSource; reason: DenialReason }
  | {
      status: 'undecided';
      source: DecisionSource;
      reason: UndecidedReason;
      /** The failure behind the decision. */
      error: Error;
      /** How long a client should wait before retrying, in milliseconds. */
      retryAfterMs: number;
    };

/** Data passed to the `onDecision` hook after every check. */
export interface DecisionEvent {
  /** The subject as the caller gave it. */
  subject: Subject;
  /** The resolved membership id, absent when resolution failed or found none. */
  organizationMembershipId: string | undefined;
  permission: string;
  resource: ResourceRef;
  decision: CheckDecision;
  /** True when no WorkOS check was made for this call (`memo`, `cache` or `coalesced`). */
  cached: boolean;
  /** Time spent in the check client for this call, in milliseconds. */
  latencyMs: number;
}

/**
 * Maps an app's user and organization ids to a WorkOS membership id. The
 * sync store implements it from the ids the sync worker learned.
 */
export interface MembershipLookup {
  /** Returns the membership id, or `undefined` when none is known. */
  getMembershipId(userId: string, organizationId: string): Promise<string | undefined>;
}
