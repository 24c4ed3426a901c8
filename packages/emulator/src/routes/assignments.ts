import type { Membership, Resource, RoleAssignment } from '../entities.js';
import { ApiError, invalidField, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { BodyReader } from '../input.js';
import { requireMembership, requireResource, resolveTarget } from '../lookup.js';
import { paginate, readPageRequest } from '../pagination.js';
import type { RequestContext, Router } from '../router.js';
import { assignmentJson } from '../serialize.js';
import { timestamp, type State } from '../state.js';
import { resourceFromPath } from './resources.js';

/** Reads `role_slug` and the target resource of an assign or remove body. */
function readRoleAndResource(state: State, membership: Membership, body: unknown): { roleSlug: string; resource: Resource } {
  const reader = new BodyReader(body);
  const roleSlug = reader.string('role_slug', { required: true });
  reader.done();

  const resource = resolveTarget(state, membership.organization_id, body as Record<string, unknown>);
  if (resource === undefined) {
    throw invalidField('resource_id', 'required', 'Pass resource_id, or resource_external_id with resource_type_slug.');
  }
  return { roleSlug, resource };
}

function findAssignment(state: State, membershipId: string, roleSlug: string, resourceId: string): RoleAssignment | undefined {
  for (const id of state.assignmentIdsOfMembership(membershipId)) {
    const assignment = state.assignments.get(id);
    if (assignment === undefined || assignment.group_role_assignment_id) {
      continue;
    }
    if (assignment.role_slug === roleSlug && assignment.resource_id === resourceId) {
      return assignment;
    }
  }
  return undefined;
}

function assignRole({ state, params, body }: RequestContext) {
  const membership = requireMembership(state, params.id ?? '');
  const { roleSlug, resource } = readRoleAndResource(state, membership, body);
  const role = state.findRole(membership.organization_id, roleSlug);
  if (role === undefined) {
    throw notFound('Role', roleSlug);
  }
  if (role.resource_type_slug !== resource.resource_type_slug) {
    throw new ApiError(422, {
      message: `Role '${roleSlug}' applies to '${role.resource_type_slug}' resources and cannot be assigned on a '${resource.resource_type_slug}' resource.`,
      code: 'role_resource_type_mismatch',
      errors: [{ field: 'role_slug', code: 'role_resource_type_mismatch', message: `Role '${roleSlug}' is scoped to resource type '${role.resource_type_slug}'.` }],
    });
  }
  if (findAssignment(state, membership.id, roleSlug, resource.id) !== undefined) {
    // The OpenAPI document lists no 409 for this operation, so a duplicate is a validation error.
    throw new ApiError(422, {
      message: `Membership '${membership.id}' already has role '${roleSlug}' on resource '${resource.id}'.`,
      code: 'role_assignment_already_exists',
      errors: [{ field: 'role_slug', code: 'role_assignment_already_exists', message: `Role '${roleSlug}' is already assigned on resource '${resource.id}'.` }],
    });
  }

  const now = timestamp();
  const assignment: RoleAssignment = {
    id: newId('role_assignment'),
    organization_membership_id: membership.id,
    role_slug: roleSlug,
    resource_id: resource.id,
    created_at: now,
    updated_at: now,
  };
  state.addAssignment(assignment);
  return { status: 201, body: assignmentJson(state, assignment) };
}

function removeRole({ state, params, body }: RequestContext) {
  const membership = requireMembership(state, params.id ?? '');
  const { roleSlug, resource } = readRoleAndResource(state, membership, body);
  const assignment = findAssignment(state, membership.id, roleSlug, resource.id);
  if (assignment === undefined) {
    throw new ApiError(404, {
      message: `Membership '${membership.id}' has no role '${roleSlug}' on resource '${resource.id}'.`,
      code: 'entity_not_found',
    });
  }
  state.removeAssignment(assignment.id);
  return { status: 204 };
}

function removeAssignmentById({ state, params }: RequestContext) {
  const membership = requireMembership(state, params.id ?? '');
  const assignmentId = params.assignmentId ?? '';
  const assignment = state.assignments.get(assignmentId);
  if (assignment === undefined || assignment.organization_membership_id !== membership.id) {
    throw notFound('Role assignment', assignmentId);
  }
  // The OpenAPI document lists 403, not 422, for this operation.
  if (assignment.group_role_assignment_id) {
    throw new ApiError(403, {
      message: `Role assignment '${assignmentId}' comes from group role assignment '${assignment.group_role_assignment_id}': remove it from the group instead.`,
      code: 'group_role_assignment_not_removable',
    });
  }
  state.removeAssignment(assignmentId);
  return { status: 204 };
}

// NOTE: lists stored assignments only. Whether WorkOS also lists a membership's own organization
// roles here as assignments on the organization is not documented.
function listForMembership({ state, params, query }: RequestContext) {
  const membership = requireMembership(state, params.id ?? '');
  const page = readPageRequest(query);
  const resourceId = query.get('resource_id') ?? '';
  const externalId = query.get('resource_external_id') ?? '';
  const typeSlug = query.get('resource_type_slug') ?? '';

  const assignments = [...state.assignmentIdsOfMembership(membership.id)]
    .map((id) => state.assignments.get(id))
    .filter((assignment): assignment is RoleAssignment => {
      if (assignment === undefined) {
        return false;
      }
      const resource = state.resources.get(assignment.resource_id);
      return (
        resource !== undefined &&
        (resourceId === '' || resource.id === resourceId) &&
        (externalId === '' || resource.external_id === externalId) &&
        (typeSlug === '' || resource.resource_type_slug === typeSlug)
      );
    });
  return { status: 200, body: paginate(state, assignments, page, (assignment) => assignmentJson(state, assignment)) };
}

function listForResource(state: State, resource: Resource, query: URLSearchParams) {
  const page = readPageRequest(query);
  const roleSlug = query.get('role_slug') ?? '';
  const assignments = [...state.assignmentIdsOfResource(resource.id)]
    .map((id) => state.assignments.get(id))
    .filter((assignment): assignment is RoleAssignment => assignment !== undefined && (roleSlug === '' || assignment.role_slug === roleSlug));
  return { status: 200, body: paginate(state, assignments, page, (assignment) => assignmentJson(state, assignment)) };
}

/** Registers the role assignment routes. */
export function registerAssignmentRoutes(router: Router): void {
  const base = '/authorization/organization_memberships/:id/role_assignments';
  router.add('GET', base, listForMembership);
  router.add('POST', base, assignRole);
  router.add('DELETE', base, removeRole);
  router.add('DELETE', `${base}/:assignmentId`, removeAssignmentById);
  router.add('GET', '/authorization/resources/:id/role_assignments', ({ state, params, query }) =>
    listForResource(state, requireResource(state, params.id ?? ''), query),
  );
  router.add('GET', '/authorization/organizations/:organizationId/resources/:typeSlug/:externalId/role_assignments', ({ state, params, query }) =>
    listForResource(state, resourceFromPath(state, params), query),
  );
}
