import type { Role } from '../entities.js';
import { ApiError, conflict, notFound, unprocessable, type FieldError } from '../errors.js';
import { newId } from '../ids.js';
import { BodyReader } from '../input.js';
import { requireOrganization } from '../lookup.js';
import type { Router } from '../router.js';
import { roleJson } from '../serialize.js';
import { timestamp, type State } from '../state.js';
import { PERMISSION_SLUG, requireResourceType } from './permissions.js';

const ROLE_SLUG = /^[a-z0-9][a-z0-9_-]{0,47}$/;
const ORGANIZATION_ROLE_SLUG = /^org-[a-z0-9_-]{1,44}$/;

/** Returns whether resources of type `descendant` can sit at or below resources of type `ancestor`. */
function isTypeAtOrBelow(state: State, descendant: string, ancestor: string, seen = new Set<string>()): boolean {
  if (descendant === ancestor || ancestor === 'organization') {
    return true;
  }
  if (seen.has(descendant)) {
    return false;
  }
  seen.add(descendant);
  return (state.resourceTypes.get(descendant)?.parents ?? []).some((parent) => isTypeAtOrBelow(state, parent, ancestor, seen));
}

/**
 * Checks permission slugs for a role: each must exist and apply to the role's
 * resource type or a type below it.
 */
function validatePermissions(state: State, role: Role, slugs: string[]): void {
  const errors: FieldError[] = [];
  for (const slug of slugs) {
    const permission = state.permissions.get(slug);
    if (permission === undefined) {
      errors.push({ field: 'permissions', code: 'permission_not_found', message: `Permission '${slug}' does not exist.` });
    } else if (!isTypeAtOrBelow(state, permission.resource_type_slug, role.resource_type_slug)) {
      errors.push({
        field: 'permissions',
        code: 'invalid_permission_resource_type',
        message: `Permission '${slug}' applies to '${permission.resource_type_slug}' resources, which are not '${role.resource_type_slug}' or below it.`,
      });
    }
  }
  if (errors.length > 0) {
    throw unprocessable('Validation failed.', errors);
  }
}

function requireEnvironmentRole(state: State, slug: string): Role {
  const role = state.environmentRoles.get(slug);
  if (role === undefined) {
    throw notFound('Role', slug);
  }
  return role;
}

function requireCustomRole(state: State, organizationId: string, slug: string): Role {
  requireOrganization(state, organizationId);
  const role = state.organizationRoles.get(organizationId)?.get(slug);
  if (role === undefined) {
    throw notFound('Role', slug);
  }
  return role;
}

function readNewRole(state: State, body: unknown, organizationId: string | null): Role {
  const reader = new BodyReader(body);
  const name = reader.string('name', { required: true, maxLength: 48 });
  const slugRule =
    organizationId === null
      ? { pattern: ROLE_SLUG, patternHint: 'lowercase letters, digits, "-" or "_"' }
      : { pattern: ORGANIZATION_ROLE_SLUG, patternHint: '"org-" followed by lowercase letters, digits, "-" or "_"' };
  const givenSlug = reader.string('slug', { required: organizationId === null, maxLength: 48, ...slugRule });
  const description = reader.string('description', { nullable: true, maxLength: 150 });
  const typeSlug = reader.string('resource_type_slug', { maxLength: 48 }) ?? 'organization';
  reader.done();
  requireResourceType(state, typeSlug);

  // A custom role without a slug gets one derived from its name.
  const derived = `org-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'role'}`;
  const slug = givenSlug ?? derived;
  const now = timestamp();
  return {
    id: newId('role'),
    slug,
    name,
    description: description ?? null,
    type: organizationId === null ? 'EnvironmentRole' : 'OrganizationRole',
    organization_id: organizationId,
    resource_type_slug: typeSlug,
    permissions: [],
    created_at: now,
    updated_at: now,
  };
}

function updateRole(role: Role, body: unknown) {
  const reader = new BodyReader(body);
  const name = reader.string('name', { maxLength: 48 });
  const description = reader.string('description', { nullable: true, maxLength: 150 });
  reader.done();
  if (name !== undefined && name !== null) {
    role.name = name;
  }
  if (description !== undefined) {
    role.description = description;
  }
  role.updated_at = timestamp();
  return { status: 200, body: roleJson(role) };
}

function setPermissions(state: State, role: Role, body: unknown) {
  const reader = new BodyReader(body);
  const permissions = reader.stringArray('permissions', { required: true }) ?? [];
  reader.done();
  validatePermissions(state, role, permissions);
  role.permissions = [...new Set(permissions)];
  role.updated_at = timestamp();
  state.rolePermissionsChanged(role);
  return { status: 200, body: roleJson(role) };
}

function addPermission(state: State, role: Role, body: unknown) {
  const reader = new BodyReader(body);
  const slug = reader.string('slug', { required: true, pattern: PERMISSION_SLUG, patternHint: 'a permission slug' });
  reader.done();
  validatePermissions(state, role, [slug]);
  if (!role.permissions.includes(slug)) {
    role.permissions = [...role.permissions, slug];
    role.updated_at = timestamp();
    state.rolePermissionsChanged(role);
  }
  return { status: 200, body: roleJson(role) };
}

function isRoleInUse(state: State, role: Role): boolean {
  const organizationId = role.organization_id ?? '';
  for (const membershipId of state.membershipIdsOfOrganization(organizationId)) {
    const membership = state.memberships.get(membershipId);
    if (membership === undefined) {
      continue;
    }
    if (membership.role_slugs.includes(role.slug)) {
      return true;
    }
    for (const assignmentId of state.assignmentIdsOfMembership(membershipId)) {
      if (state.assignments.get(assignmentId)?.role_slug === role.slug) {
        return true;
      }
    }
  }
  return false;
}

/** Registers the environment role and custom role routes. */
export function registerRoleRoutes(router: Router): void {
  router.add('GET', '/authorization/roles', ({ state }) => ({
    status: 200,
    body: { object: 'list', data: [...state.environmentRoles.values()].map(roleJson) },
  }));
  router.add('POST', '/authorization/roles', ({ state, body }) => {
    const role = readNewRole(state, body, null);
    if (state.environmentRoles.has(role.slug)) {
      throw conflict('role_slug_conflict', `A role with slug '${role.slug}' already exists.`);
    }
    state.addRole(role);
    return { status: 201, body: roleJson(role) };
  });
  router.add('GET', '/authorization/roles/:slug', ({ state, params }) => ({ status: 200, body: roleJson(requireEnvironmentRole(state, params.slug ?? '')) }));
  router.add('PATCH', '/authorization/roles/:slug', ({ state, params, body }) => updateRole(requireEnvironmentRole(state, params.slug ?? ''), body));
  router.add('PUT', '/authorization/roles/:slug/permissions', ({ state, params, body }) =>
    setPermissions(state, requireEnvironmentRole(state, params.slug ?? ''), body),
  );
  router.add('POST', '/authorization/roles/:slug/permissions', ({ state, params, body }) =>
    addPermission(state, requireEnvironmentRole(state, params.slug ?? ''), body),
  );

  const custom = '/authorization/organizations/:organizationId/roles';
  router.add('GET', custom, ({ state, params }) => {
    const organization = requireOrganization(state, params.organizationId ?? '');
    return { status: 200, body: { object: 'list', data: state.rolesFor(organization.id).map(roleJson) } };
  });
  router.add('POST', custom, ({ state, params, body }) => {
    const organization = requireOrganization(state, params.organizationId ?? '');
    const role = readNewRole(state, body, organization.id);
    // NOTE: WorkOS gives an organization its own default role and priority order once it has a
    // custom role. Here the environment's default role and order still apply.
    if (state.findRole(organization.id, role.slug) !== undefined) {
      throw conflict('organization_role_slug_conflict', `A role with slug '${role.slug}' already exists for organization '${organization.id}'.`);
    }
    state.addRole(role);
    return { status: 201, body: roleJson(role) };
  });
  router.add('GET', `${custom}/:slug`, ({ state, params }) => {
    const organization = requireOrganization(state, params.organizationId ?? '');
    const role = state.findRole(organization.id, params.slug ?? '');
    if (role === undefined) {
      throw notFound('Role', params.slug ?? '');
    }
    return { status: 200, body: roleJson(role) };
  });
  router.add('PATCH', `${custom}/:slug`, ({ state, params, body }) => updateRole(requireCustomRole(state, params.organizationId ?? '', params.slug ?? ''), body));
  router.add('DELETE', `${custom}/:slug`, ({ state, params }) => {
    const role = requireCustomRole(state, params.organizationId ?? '', params.slug ?? '');
    if (isRoleInUse(state, role)) {
      throw new ApiError(409, { message: `Role '${role.slug}' is still held by memberships or role assignments: remove them first.`, code: 'role_has_assignments' });
    }
    state.removeRole(role);
    return { status: 204 };
  });
  router.add('PUT', `${custom}/:slug/permissions`, ({ state, params, body }) =>
    setPermissions(state, requireCustomRole(state, params.organizationId ?? '', params.slug ?? ''), body),
  );
  router.add('POST', `${custom}/:slug/permissions`, ({ state, params, body }) =>
    addPermission(state, requireCustomRole(state, params.organizationId ?? '', params.slug ?? ''), body),
  );
  router.add('DELETE', `${custom}/:slug/permissions/:permissionSlug`, ({ state, params }) => {
    const role = requireCustomRole(state, params.organizationId ?? '', params.slug ?? '');
    const permissionSlug = params.permissionSlug ?? '';
    if (!role.permissions.includes(permissionSlug)) {
      throw notFound('Permission', permissionSlug);
    }
    role.permissions = role.permissions.filter((slug) => slug !== permissionSlug);
    role.updated_at = timestamp();
    state.rolePermissionsChanged(role);
    return { status: 200, body: roleJson(role) };
  });
}
