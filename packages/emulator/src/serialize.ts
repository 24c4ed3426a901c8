import type { Group, GroupRoleAssignment, Membership, Organization, Permission, Resource, Role, RoleAssignment, User } from './entities.js';
import type { State } from './state.js';

/** JSON object as sent on the wire. */
export type Json = Record<string, unknown>;

/** Renders an organization as WorkOS does. */
export function organizationJson(organization: Organization): Json {
  return {
    object: 'organization',
    id: organization.id,
    name: organization.name,
    allow_profiles_outside_organization: false,
    domains: organization.domains.map((domain) => ({
      object: 'organization_domain',
      id: domain.id,
      organization_id: organization.id,
      domain: domain.domain,
      state: domain.state,
      verification_strategy: 'manual',
      created_at: domain.created_at,
      updated_at: domain.updated_at,
    })),
    external_id: organization.external_id,
    metadata: organization.metadata,
    ...(organization.stripe_customer_id === null ? {} : { stripe_customer_id: organization.stripe_customer_id }),
    created_at: organization.created_at,
    updated_at: organization.updated_at,
  };
}

/** Renders a user as WorkOS does. */
export function userJson(user: User): Json {
  return {
    object: 'user',
    id: user.id,
    email: user.email,
    email_verified: user.email_verified,
    first_name: user.first_name,
    last_name: user.last_name,
    name: user.name,
    profile_picture_url: user.profile_picture_url,
    last_sign_in_at: null,
    locale: user.locale,
    external_id: user.external_id,
    metadata: user.metadata,
    created_at: user.created_at,
    updated_at: user.updated_at,
  };
}

function membershipBase(state: State, membership: Membership): Json {
  const user = state.users.get(membership.user_id);
  return {
    object: 'organization_membership',
    id: membership.id,
    user_id: membership.user_id,
    organization_id: membership.organization_id,
    status: membership.status,
    directory_managed: false,
    custom_attributes: {},
    ...(user === undefined ? {} : { user: userJson(user) }),
    created_at: membership.created_at,
    updated_at: membership.updated_at,
  };
}

/** Renders a membership with its organization name and roles, as the user-management API does. */
export function membershipJson(state: State, membership: Membership): Json {
  const [primary] = membership.role_slugs;
  return {
    ...membershipBase(state, membership),
    organization_name: state.organizations.get(membership.organization_id)?.name ?? null,
    role: { slug: primary ?? null },
    roles: membership.role_slugs.map((slug) => ({ slug })),
  };
}

/** Renders a membership without roles, as the authorization API's membership lists do. */
export function authorizationMembershipJson(state: State, membership: Membership): Json {
  return membershipBase(state, membership);
}

/** Renders a permission. */
export function permissionJson(permission: Permission): Json {
  return {
    object: 'permission',
    id: permission.id,
    slug: permission.slug,
    name: permission.name,
    description: permission.description,
    resource_type_slug: permission.resource_type_slug,
    system: permission.system,
    created_at: permission.created_at,
    updated_at: permission.updated_at,
  };
}

/** Renders a role. */
export function roleJson(role: Role): Json {
  return {
    object: 'role',
    id: role.id,
    slug: role.slug,
    name: role.name,
    description: role.description,
    type: role.type,
    resource_type_slug: role.resource_type_slug,
    permissions: [...role.permissions],
    created_at: role.created_at,
    updated_at: role.updated_at,
  };
}

/** Renders a resource; `parent_resource_id` of a top-level resource follows the `top_level_parent_id` setting. */
export function resourceJson(state: State, resource: Resource): Json {
  let parentId = resource.parent_id;
  if (parentId !== null && state.settings.top_level_parent_id === 'null' && state.resources.get(parentId)?.parent_id === null) {
    parentId = null;
  }

  return {
    object: 'authorization_resource',
    id: resource.id,
    external_id: resource.external_id,
    name: resource.name,
    description: resource.description,
    resource_type_slug: resource.resource_type_slug,
    organization_id: resource.organization_id,
    parent_resource_id: parentId,
    created_at: resource.created_at,
    updated_at: resource.updated_at,
  };
}

function resourceReference(state: State, resourceId: string): Json {
  const resource = state.resources.get(resourceId);
  return {
    id: resourceId,
    external_id: resource?.external_id ?? null,
    resource_type_slug: resource?.resource_type_slug ?? null,
  };
}

/** Renders a group. */
export function groupJson(group: Group): Json {
  return {
    object: 'group',
    id: group.id,
    organization_id: group.organization_id,
    name: group.name,
    description: group.description,
    created_at: group.created_at,
    updated_at: group.updated_at,
  };
}

/** Renders a group role assignment with the resource it targets. */
export function groupAssignmentJson(state: State, groupAssignment: GroupRoleAssignment): Json {
  return {
    object: 'group_role_assignment',
    id: groupAssignment.id,
    group_id: groupAssignment.group_id,
    role: { slug: groupAssignment.role_slug },
    resource: resourceReference(state, groupAssignment.resource_id),
    created_at: groupAssignment.created_at,
    updated_at: groupAssignment.updated_at,
  };
}

/** Renders a role assignment with the resource it targets and where it comes from. */
export function assignmentJson(state: State, assignment: RoleAssignment): Json {
  const groupAssignmentId = assignment.group_role_assignment_id ?? null;
  return {
    object: 'role_assignment',
    id: assignment.id,
    organization_membership_id: assignment.organization_membership_id,
    role: { slug: assignment.role_slug },
    resource: resourceReference(state, assignment.resource_id),
    source: { type: groupAssignmentId === null ? 'direct' : 'group', group_role_assignment_id: groupAssignmentId },
    created_at: assignment.created_at,
    updated_at: assignment.updated_at,
  };
}
