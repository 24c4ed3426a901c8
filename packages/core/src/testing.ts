/**
 * Testing kit: a check client whose upstream results are scripted and whose
 * calls are recorded. It runs the real decision path (memo, cache,
 * coalescing, budgets, breaker), so guards behave as in production.
 *
 * @module
 */
import type { DiscoveredResource } from './check/backend.js';
import { createCheckClientWithBackend, type CheckClient } from './check/client.js';
import type { CheckClientOptions } from './check/options.js';
import type { DecisionEvent, ResourceRef } from './check/types.js';

/** One upstream check the client made. */
export interface RecordedCheck {
  organizationMembershipId: string;
  permission: string;
  resource: ResourceRef;
}

/**
 * A scripted upstream result: a boolean for authorized or not, `'not_found'`
 * for a WorkOS 404, or an Error to simulate a failure. A promise delays it.
 */
export type ScriptedAnswer = boolean | 'not_found' | Error;

/** Options of {@link createTestCheckClient}. */
export interface TestCheckClientOptions<P extends string> extends Omit<CheckClientOptions<P>, 'workos'> {
  /**
   * Returns the upstream result of a check.
   * @defaultValue every check is denied
   */
  decide?: (check: RecordedCheck) => ScriptedAnswer | Promise<ScriptedAnswer>;
  /** Membership ids by `"userId/organizationId"`, used for app subjects. */
  memberships?: Record<string, string>;
  /** Results of resource discovery, by `"membershipId/permission"`. */
  discoverable?: Record<string, DiscoveredResource[]>;
}

/** A check client for tests, with what it did. */
export interface TestCheckClient<P extends string> extends CheckClient<P> {
  /** Upstream checks made, in order. Memo, cache and coalesced hits do not appear. */
  readonly upstreamChecks: RecordedCheck[];
  /** Every decision reported to `onDecision`, in order. */
  readonly decisions: DecisionEvent[];
}

/**
 * Creates a check client with scripted upstream results.
 *
 * @example
 * ```ts
 * const checks = createTestCheckClient({ decide: ({ permission }) => permission === 'workspace:view' });
 * ```
 */
export function createTestCheckClient<const P extends string = string>(options: TestCheckClientOptions<P> = {}): TestCheckClient<P> {
  const upstreamChecks: RecordedCheck[] = [];
  const decisions: DecisionEvent[] = [];
  const decide = options.decide ?? (() => false);

  const client = createCheckClientWithBackend<P>(
    {
      async check(organizationMembershipId, permission, resource) {
        const call = { organizationMembershipId, permission, resource };
        upstreamChecks.push(call);

        const answer = await decide(call);
        if (answer instanceof Error) {
          throw answer;
        }
        if (answer === 'not_found') {
          throw Object.assign(new Error(`scripted: not found (${organizationMembershipId}, ${permission})`), { status: 404 });
        }
        return answer;
      },
      findMembershipId: (userId, organizationId) => Promise.resolve(options.memberships?.[`${userId}/${organizationId}`]),
      listResources: (organizationMembershipId, permission) =>
        Promise.resolve(options.discoverable?.[`${organizationMembershipId}/${permission}`] ?? []),
    },
    {
      ...options,
      onDecision(event) {
        decisions.push(event);
        options.onDecision?.(event);
      },
    },
  );

  return Object.assign(client, { upstreamChecks, decisions });
}
