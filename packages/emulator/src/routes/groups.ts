import type { Group, GroupRoleAssignment, Membership, Resource } from '../entities.js';
import { ApiError, conflict, invalidField, notFound, unprocessable } from '../errors.js';
import { newId } from '../ids.js';
import { BodyReader } from '../input.js';
import { requireMembership, requireOrganization, resolveTarget } from '../lookup.js';
import { paginate, readPageRequest } from '../pagination.js';
import type { RequestContext, Router } from '../router.js';
import { authorizationMembershipJson, groupAssignmentJson, groupJson } from '../serialize.js';
import { timestamp, type State } from '../state.js';

const MAX_REPLACED_ASSIGNMENTS = 100;

function requireGroup(state: State, groupId: string, organizationId?: string): Group {
  const group = state.groups.get(groupId);
  if (group === undefined || (organizationId !== undefined && group.organization_id !== organizationId)) {
    throw notFound('Group', groupId);
  }
  return group;
}

function groupFromPath(state: State, params: Record<string, string>): Group {
  const organization = requireOrganization(state, params.organizationId ?? '');
  return requireGroup(state, params.groupId ?? '', organization.id);
}

function readGroupFields(body: unknown, required: boolean): { name: string | undefined; description: string | null | undefined } {
  const reader = new BodyReader(body);
  const name = reader.string('name', { required, maxLength: 255 });
  const description = reader.string('description', { nullable: true, maxLength: 1000 });
  reader.done();
  return { name: name ?? undefined, description };
}

function createGroup({ state, params, body }: RequestContext) {
  const organization = requireOrganization(state, params.organizationId ?? '');
  const { name, description } = readGroupFields(body, true);
  const now = timestamp();
  const group: Group = {
    id: newId('group'),
    organization_id: organization.id,
    name: name ?? '',
    description: description ?? null,
    created_at: now,
    updated_at: now,
  };
  state.addGroup(group);
  return { status: 201, body: groupJson(group) };
}

function updateGroup({ state, params, body }: RequestContext) {
  const group = groupFromPath(state, params);
  const { name, description } = readGroupFields(body, false);
  if (name !== undefined) {
    group.name = name;
  }
  if (description !== undefined) {
    group.description = description;
  }
  group.updated_at = timestamp();
  return { status: 200, body: groupJson(group) };
}

function addMember({ state, params, body }: RequestContext) {
  const group = groupFromPath(state, params);
  const reader = new BodyReader(body);
  const membershipId = reader.string('organization_membership_id', { required: true });
  reader.done();

  const membership = requireMembership(state, membershipId);
  if (membership.organization_id !== group.organization_id) {
    throw invalidField('organization_membership_id', 'invalid_organization_membership', `Membership '${membershipId}' belongs to another organization than group '${group.id}'.`);
  }
  state.addGroupMember(group.id, membership.id, timestamp());
  return { status: 200, body: groupJson(group) };
}

function removeMember({ state, params }: RequestContext) {
  const group = groupFromPath(state, params);
  const membershipId = params.membershipId ?? '';
  if (!state.memberIdsOfGroup(group.id).has(membershipId)) {
    throw notFound('Group membership', membershipId);
  }
  state.removeGroupMember(group.id, membershipId);
  return { status: 204 };
}

function listMembers({ state, params, query }: RequestContext) {
  const group = groupFromPath(state, params);
  const members = [...state.memberIdsOfGroup(group.id)]
    .map((id) => state.memberships.get(id))
    .filter((membership): membership is Membership => membership !== undefined);
  return { status: 200, body: paginate(state, members, readPageRequest(query), (membership) => authorizationMembershipJson(state, membership)) };
}

/** A group role assignment request after validation. */
interface AssignmentTarget {
  roleSlug: string;
  resource: Resource;
}

/** Reads `role_slug` and an optional resource; no resource means the organization itself. */
function readAssignmentTarget(state: State, group: Group, entry: unknown, field = ''): AssignmentTarget {
  const reader = new BodyReader(entry);
  const roleSlug = reader.string('role_slug', { required: true });
  reader.done();

  const root = state.rootResourceOf(group.organization_id);
  const resource = resolveTarget(state, group.organization_id, entry as Record<string, unknown>) ?? root;
  if (resource === undefined) {
    throw notFound('Authorization resource', group.organization_id);
  }
  const role = state.findRole(group.organization_id, roleSlug);
  if (role === undefined) {
    throw notFound('Role', roleSlug);
  }
  if (role.resource_type_slug !== resource.resource_type_slug) {
    throw unprocessable('Validation failed.', [
      {
        field: `${field}role_slug`,
        code: 'role_resource_type_mismatch',
        message: `Role '${roleSlug}' applies to '${role.resource_type_slug}' resources and cannot be assigned on a '${resource.resource_type_slug}' resource.`,
      },
    ]);
  }
  return { roleSlug, resource };
}

function findGroupAssignment(state: State, groupId: string, target: AssignmentTarget): GroupRoleAssignment | undefined {
  for (const id of state.groupAssignmentIdsOfGroup(groupId)) {
    const groupAssignment = state.groupAssignments.get(id);
    if (groupAssignment?.role_slug === target.roleSlug && groupAssignment.resource_id === target.resource.id) {
      return groupAssignment;
    }
  }
  return undefined;
}

function createGroupAssignment(state: State, group: Group, target: AssignmentTarget): GroupRoleAssignment {
  const now = timestamp();
  const groupAssignment: GroupRoleAssignment = {
    id: newId('gra'),
    group_id: group.id,
    role_slug: target.roleSlug,
    resource_id: target.resource.id,
    created_at: now,
    updated_at: now,
  };
  state.addGroupAssignment(groupAssignment);
  return groupAssignment;
}

function listGroupAssignments(state: State, group: Group): GroupRoleAssignment[] {
  return [...state.groupAssignmentIdsOfGroup(group.id)]
    .map((id) => state.groupAssignments.get(id))
    .filter((groupAssignment): groupAssignment is GroupRoleAssignment => groupAssignment !== undefined);
}

function replaceGroupAssignments(state: State, group: Group, body: unknown) {
  const entries = (body as { role_assignments?: unknown } | undefined)?.role_assignments;
  if (!Array.isArray(entries)) {
    throw invalidField('role_assignments', 'required', 'role_assignments must be an array of { role_slug, resource_id | resource_external_id + resource_type_slug }.');
  }
  if (entries.length > MAX_REPLACED_ASSIGNMENTS) {
    throw invalidField('role_assignments', 'too_many', `role_assignments may list at most ${MAX_REPLACED_ASSIGNMENTS} entries, got ${entries.length}.`);
  }

  // Validate every entry before changing anything, so a bad entry leaves the group as it was.
  const targets = entries.map((entry, index) => readAssignmentTarget(state, group, entry, `role_assignments[${index}].`));
  const requested = new Map(targets.map((target) => [`${target.roleSlug}|${target.resource.id}`, target]));
  for (const existing of listGroupAssignments(state, group)) {
    const key = `${existing.role_slug}|${existing.resource_id}`;
    if (requested.has(key)) {
      requested.delete(key);
    } else {
      state.removeGroupAssignment(existing.id);
    }
  }
  for (const target of requested.values()) {
    createGroupAssignment(state, group, target);
  }

  const data = listGroupAssignments(state, group).map((groupAssignment) => groupAssignmentJson(state, groupAssignment));
  return { status: 200, body: { object: 'list', data, list_metadata: { before: null, after: null } } };
}

/** Registers the group routes and the group role assignment routes. */
export function registerGroupRoutes(router: Router): void {
  const groups = '/organizations/:organizationId/groups';
  router.add('GET', groups, ({ state, params, query }) => {
    const organization = requireOrganization(state, params.organizationId ?? '');
    const list = [...state.groupIdsOfOrganization(organization.id)].map((id) => state.groups.get(id)).filter((group): group is Group => group !== undefined);
    return { status: 200, body: paginate(state, list, readPageRequest(query), groupJson) };
  });
  router.add('POST', groups, createGroup);
  router.add('GET', `${groups}/:groupId`, ({ state, params }) => ({ status: 200, body: groupJson(groupFromPath(state, params)) }));
  router.add('PATCH', `${groups}/:groupId`, updateGroup);
  router.add('DELETE', `${groups}/:groupId`, ({ state, params }) => {
    state.removeGroup(groupFromPath(state, params).id);
    return { status: 204 };
  });
  router.add('GET', `${groups}/:groupId/organization-memberships`, listMembers);
  router.add('POST', `${groups}/:groupId/organization-memberships`, addMember);
  router.add('DELETE', `${groups}/:groupId/organization-memberships/:membershipId`, removeMember);
  router.add('GET', '/user_management/organization_memberships/:id/groups', ({ state, params, query }) => {
    const membership = requireMembership(state, params.id ?? '');
    const list = [...state.groupIdsOfMembership(membership.id)].map((id) => state.groups.get(id)).filter((group): group is Group => group !== undefined);
    return { status: 200, body: paginate(state, list, readPageRequest(query), groupJson) };
  });

  const assignments = '/authorization/groups/:groupId/role_assignments';
  router.add('GET', assignments, ({ state, params, query }) => {
    const group = requireGroup(state, params.groupId ?? '');
    return { status: 200, body: paginate(state, listGroupAssignments(state, group), readPageRequest(query), (entry) => groupAssignmentJson(state, entry)) };
  });
  router.add('POST', assignments, ({ state, params, body }) => {
    const group = requireGroup(state, params.groupId ?? '');
    const target = readAssignmentTarget(state, group, body ?? {});
    if (findGroupAssignment(state, group.id, target) !== undefined) {
      throw conflict('group_role_assignment_already_exists', `Group '${group.id}' already has role '${target.roleSlug}' on resource '${target.resource.id}'.`);
    }
    return { status: 201, body: groupAssignmentJson(state, createGroupAssignment(state, group, target)) };
  });
  router.add('PUT', assignments, ({ state, params, body }) => replaceGroupAssignments(state, requireGroup(state, params.groupId ?? ''), body));
  router.add('DELETE', assignments, ({ state, params, body }) => {
    const group = requireGroup(state, params.groupId ?? '');
    const target = readAssignmentTarget(state, group, body ?? {});
    const existing = findGroupAssignment(state, group.id, target);
    if (existing === undefined) {
      throw new ApiError(404, { message: `Group '${group.id}' has no role '${target.roleSlug}' on resource '${target.resource.id}'.`, code: 'entity_not_found' });
    }
    state.removeGroupAssignment(existing.id);
    return { status: 204 };
  });
  router.add('GET', `${assignments}/:assignmentId`, ({ state, params }) => {
    const group = requireGroup(state, params.groupId ?? '');
    const groupAssignment = state.groupAssignments.get(params.assignmentId ?? '');
    if (groupAssignment === undefined || groupAssignment.group_id !== group.id) {
      throw notFound('Group role assignment', params.assignmentId ?? '');
    }
    return { status: 200, body: groupAssignmentJson(state, groupAssignment) };
  });
  router.add('DELETE', `${assignments}/:assignmentId`, ({ state, params }) => {
    const group = requireGroup(state, params.groupId ?? '');
    const groupAssignment = state.groupAssignments.get(params.assignmentId ?? '');
    if (groupAssignment === undefined || groupAssignment.group_id !== group.id) {
      throw notFound('Group role assignment', params.assignmentId ?? '');
    }
    state.removeGroupAssignment(groupAssignment.id);
    return { status: 204 };
  });
}
