import type { Permission } from '../entities.js';
import { ApiError, conflict, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { BodyReader } from '../input.js';
import { paginate, readPageRequest } from '../pagination.js';
import type { RequestContext, Router } from '../router.js';
import { permissionJson } from '../serialize.js';
import { timestamp, type State } from '../state.js';

/** Permission slugs: lowercase letters, digits, `-`, `_`, `:`, `.` and `*`, at most 48 characters. */
export const PERMISSION_SLUG = /^[a-z0-9*][a-z0-9_\-:.*]{0,47}$/;

/** Returns the resource type or throws a 404 naming it. */
export function requireResourceType(state: State, slug: string): void {
  if (slug !== 'organization' && !state.resourceTypes.has(slug)) {
    throw new ApiError(404, {
      message: `Resource type not found: '${slug}'. Resource types are defined in the seed's resource_types.`,
      code: 'entity_not_found',
      entity_id: slug,
    });
  }
}

function requirePermission(state: State, slug: string): Permission {
  const permission = state.permissions.get(slug);
  if (permission === undefined) {
    throw notFound('Permission', slug);
  }
  return permission;
}

function createPermission({ state, body }: RequestContext) {
  const reader = new BodyReader(body);
  const slug = reader.string('slug', {
    required: true,
    maxLength: 48,
    pattern: PERMISSION_SLUG,
    patternHint: 'lowercase letters, digits, "-", "_", ":", "." or "*"',
  });
  const name = reader.string('name', { required: true, maxLength: 48 });
  const description = reader.string('description', { nullable: true, maxLength: 150 });
  const typeSlug = reader.string('resource_type_slug', { maxLength: 48 }) ?? 'organization';
  reader.done();
  requireResourceType(state, typeSlug);
  if (state.permissions.has(slug)) {
    throw conflict('permission_slug_conflict', `A permission with slug '${slug}' already exists.`);
  }

  const now = timestamp();
  const permission: Permission = {
    id: newId('perm'),
    slug,
    name,
    description: description ?? null,
    resource_type_slug: typeSlug,
    system: false,
    created_at: now,
    updated_at: now,
  };
  state.addPermission(permission);
  return { status: 201, body: permissionJson(permission) };
}

function updatePermission({ state, body, params }: RequestContext) {
  const permission = requirePermission(state, params.slug ?? '');
  const reader = new BodyReader(body);
  const name = reader.string('name', { maxLength: 48 });
  const description = reader.string('description', { nullable: true, maxLength: 150 });
  reader.done();

  if (name !== undefined && name !== null) {
    permission.name = name;
  }
  if (description !== undefined) {
    permission.description = description;
  }
  permission.updated_at = timestamp();
  return { status: 200, body: permissionJson(permission) };
}

function deletePermission({ state, params }: RequestContext) {
  const permission = requirePermission(state, params.slug ?? '');
  if (permission.system) {
    throw new ApiError(403, { message: `Permission '${permission.slug}' is a system permission and cannot be deleted.`, code: 'system_permission' });
  }
  state.removePermission(permission.slug);
  return { status: 204 };
}

/** Registers the permission routes. */
export function registerPermissionRoutes(router: Router): void {
  router.add('GET', '/authorization/permissions', ({ state, query }) => ({
    status: 200,
    body: paginate(state, state.permissions.values(), readPageRequest(query), permissionJson),
  }));
  router.add('POST', '/authorization/permissions', createPermission);
  router.add('GET', '/authorization/permissions/:slug', ({ state, params }) => ({ status: 200, body: permissionJson(requirePermission(state, params.slug ?? '')) }));
  router.add('PATCH', '/authorization/permissions/:slug', updatePermission);
  router.add('DELETE', '/authorization/permissions/:slug', deletePermission);
}
