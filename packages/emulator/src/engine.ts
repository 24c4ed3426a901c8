import type { Membership, Resource, Role } from './entities.js';
import type { State } from './state.js';

/** A role a membership holds on one resource. */
export interface Grant {
  role: Role;
  resource: Resource;
  /**
   * `organization_role` for the membership's own roles (held on the root),
   * `role_assignment` for direct assignments, `group_role_assignment` for roles given through a group.
   */
  source: 'organization_role' | 'role_assignment' | 'group_role_assignment';
  /** Id of the role assignment, for `role_assignment` grants. */
  role_assignment_id: string | null;
}

/** The decision of a check with its reason and the grants looked at. */
export interface Explanation {
  authorized: boolean;
  /** `granted`, `no_matching_grant`, `membership_inactive` or `unknown_permission`. */
  reason: 'granted' | 'no_matching_grant' | 'membership_inactive' | 'unknown_permission';
  /** The first grant that includes the permission, when authorized. */
  grant: Grant | null;
  /** The resource and its ancestors, nearest first. */
  ancestry: Resource[];
  /** Every grant of the membership that was looked at. */
  grants: Grant[];
}

/**
 * Lists a membership's grants: its organization roles, held on the
 * organization's root resource, then its role assignments. Costs the number of
 * grants, whatever the size of the environment.
 */
export function grantsOf(state: State, membership: Membership): Grant[] {
  const grants: Grant[] = [];
  const root = state.rootResourceOf(membership.organization_id);
  if (root !== undefined) {
    for (const slug of membership.role_slugs) {
      const role = state.findRole(membership.organization_id, slug);
      if (role !== undefined) {
        grants.push({ role, resource: root, source: 'organization_role', role_assignment_id: null });
      }
    }
  }

  for (const assignmentId of state.assignmentIdsOfMembership(membership.id)) {
    const assignment = state.assignments.get(assignmentId);
    if (assignment === undefined) {
      continue;
    }
    const role = state.findRole(membership.organization_id, assignment.role_slug);
    const resource = state.resources.get(assignment.resource_id);
    if (role !== undefined && resource !== undefined) {
      const source = assignment.group_role_assignment_id ? 'group_role_assignment' : 'role_assignment';
      grants.push({ role, resource, source, role_assignment_id: assignment.id });
    }
  }
  return grants;
}

/** Returns whether checks of this membership are evaluated at all under the current settings. */
export function membershipCanBeAuthorized(state: State, membership: Membership): boolean {
  return membership.status === 'active' || state.settings.inactive_memberships_authorized;
}

/**
 * Decides a check and gives the reason: authorized when a role the membership holds
 * on the resource, on one of its ancestors, or at organization level includes
 * the permission. Costs the depth of the resource plus the membership's grants.
 */
export function explainCheck(state: State, membership: Membership, permissionSlug: string, resource: Resource): Explanation {
  const ancestry = state.ancestry(resource);
  const grants = grantsOf(state, membership);
  const denied = (reason: Explanation['reason']): Explanation => ({ authorized: false, reason, grant: null, ancestry, grants });

  if (!membershipCanBeAuthorized(state, membership)) {
    return denied('membership_inactive');
  }
  if (!state.permissions.has(permissionSlug)) {
    return denied('unknown_permission');
  }

  const ancestorIds = new Set(ancestry.map((entry) => entry.id));
  const grant = grants.find((entry) => ancestorIds.has(entry.resource.id) && state.permissionSetOf(entry.role).has(permissionSlug));
  return grant === undefined ? denied('no_matching_grant') : { authorized: true, reason: 'granted', grant, ancestry, grants };
}

/** Returns whether the membership has the permission on the resource. */
export function check(state: State, membership: Membership, permissionSlug: string, resource: Resource): boolean {
  return explainCheck(state, membership, permissionSlug, resource).authorized;
}

/** Returns the slugs of every permission the membership has on the resource, directly or inherited. */
export function effectivePermissions(state: State, membership: Membership, resource: Resource): Set<string> {
  const slugs = new Set<string>();
  if (!membershipCanBeAuthorized(state, membership)) {
    return slugs;
  }

  const ancestorIds = new Set(state.ancestry(resource).map((entry) => entry.id));
  for (const grant of grantsOf(state, membership)) {
    if (ancestorIds.has(grant.resource.id)) {
      for (const slug of grant.role.permissions) {
        if (state.permissions.has(slug)) {
          slugs.add(slug);
        }
      }
    }
  }
  return slugs;
}

/** Returns whether a grant directly on `resource` includes the permission. */
export function hasDirectGrant(state: State, membership: Membership, permissionSlug: string, resource: Resource): boolean {
  if (!membershipCanBeAuthorized(state, membership)) {
    return false;
  }
  return grantsOf(state, membership).some((grant) => grant.resource.id === resource.id && state.permissionSetOf(grant.role).has(permissionSlug));
}
