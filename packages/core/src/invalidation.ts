/**
 * A change that may make cached authorization decisions stale. The sync
 * worker publishes one after it applies a change to WorkOS; check clients
 * drop the decisions it covers.
 */
export type DecisionInvalidation =
  | {
      /** Every decision of this membership. */
      kind: 'membership';
      organizationMembershipId: string;
    }
  | {
      /** Every decision about this resource, whatever the membership. */
      kind: 'resource';
      /** WorkOS organization id (`org_…`). */
      organizationId: string;
      resourceTypeSlug: string;
      resourceExternalId: string;
    }
  | {
      /** Every cached decision. */
      kind: 'all';
    };

/**
 * Returns the Redis pub/sub channel on which invalidations are published for
 * a queue prefix, so workers and check clients of one deployment meet.
 */
export function invalidationChannel(prefix: string): string {
  return `${prefix}:fgakit:invalidations`;
}
