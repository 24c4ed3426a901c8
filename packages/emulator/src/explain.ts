import type { Resource } from './entities.js';
import type { Grant } from './engine.js';
import type { State } from './state.js';
import { explain, readCheckInput } from './routes/checks.js';

/** A resource as an explanation shows it. */
export interface ExplainedResource {
  id: string;
  external_id: string;
  resource_type_slug: string;
}

/** A grant as an explanation shows it. */
export interface ExplainedGrant {
  role_slug: string;
  resource: ExplainedResource;
  /** `organization_role` for the membership's own role, `role_assignment` or `group_role_assignment` for an assignment. */
  source: Grant['source'];
  role_assignment_id: string | null;
  /** Whether the role includes the permission. */
  includes_permission: boolean;
  /** Whether the grant's resource is the checked resource or one of its ancestors. */
  on_ancestry: boolean;
}

/** The explanation of a check: the grant that authorized it, or the reason none did. */
export interface CheckExplanation {
  authorized: boolean;
  reason: 'granted' | 'no_matching_grant' | 'membership_inactive' | 'unknown_permission';
  organization_membership_id: string;
  permission_slug: string;
  resource: ExplainedResource;
  grant: ExplainedGrant | null;
  /** The checked resource and its ancestors, nearest first. */
  ancestry: ExplainedResource[];
  /** Every grant of the membership. */
  grants: ExplainedGrant[];
}

/** The input of an explanation, as the check route takes it. */
export interface ExplainInput {
  organization_membership_id: string;
  permission_slug: string;
  resource_id?: string;
  resource_external_id?: string;
  resource_type_slug?: string;
}

function resourceSummary(resource: Resource): ExplainedResource {
  return { id: resource.id, external_id: resource.external_id, resource_type_slug: resource.resource_type_slug };
}

/**
 * Explains a check: validates it as the check route does (404 for unknown
 * memberships and resources), decides it and lists the grants looked at.
 */
export function explainRequest(state: State, input: ExplainInput): CheckExplanation {
  const { organization_membership_id: membershipId, ...fields } = input;
  const checkInput = readCheckInput(state, membershipId, fields);
  const result = explain(state, checkInput);
  const ancestorIds = new Set(result.ancestry.map((resource) => resource.id));
  const summarize = (grant: Grant): ExplainedGrant => ({
    role_slug: grant.role.slug,
    resource: resourceSummary(grant.resource),
    source: grant.source,
    role_assignment_id: grant.role_assignment_id,
    includes_permission: state.permissionSetOf(grant.role).has(checkInput.permissionSlug),
    on_ancestry: ancestorIds.has(grant.resource.id),
  });

  return {
    authorized: result.authorized,
    reason: result.reason,
    organization_membership_id: membershipId,
    permission_slug: checkInput.permissionSlug,
    resource: resourceSummary(checkInput.resource),
    grant: result.grant === null ? null : summarize(result.grant),
    ancestry: result.ancestry.map(resourceSummary),
    grants: result.grants.map(summarize),
  };
}
