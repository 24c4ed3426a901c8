import type { Membership, Permission, Resource } from '../entities.js';
import { ApiError, invalidField, notFound } from '../errors.js';
import { check, effectivePermissions, explainCheck, hasDirectGrant, type Explanation } from '../engine.js';
import { BodyReader } from '../input.js';
import { requireMembership, requireResource, resolveTarget } from '../lookup.js';
import { paginate, readPageRequest } from '../pagination.js';
import type { RequestContext, Router } from '../router.js';
import { authorizationMembershipJson, permissionJson, resourceJson } from '../serialize.js';
import type { State } from '../state.js';
import { resourceFromPath } from './resources.js';

/** A check request after validation. */
export interface CheckInput {
  membership: Membership;
  permissionSlug: string;
  resource: Resource;
}

/**
 * Validates the fields of a check (`permission_slug` and the resource by id or
 * by type and external id) and resolves them. Unknown memberships and
 * resources, and resources of another organization, are 404s.
 */
export function readCheckInput(state: State, membershipId: string, fields: unknown): CheckInput {
  const membership = requireMembership(state, membershipId);
  const reader = new BodyReader(fields);
  const permissionSlug = reader.string('permission_slug', { required: true });
  reader.done();

  const resource = resolveTarget(state, membership.organization_id, fields as Record<string, unknown>);
  if (resource === undefined) {
    throw invalidField('resource_id', 'required', 'Pass resource_id, or resource_external_id with resource_type_slug.');
  }
  if (!state.permissions.has(permissionSlug) && state.settings.unknown_permission === 'error') {
    throw notFound('Permission', permissionSlug);
  }
  return { membership, permissionSlug, resource };
}

/** Decides a check and explains it; the same path the check route takes. */
export function explain(state: State, input: CheckInput): Explanation {
  return explainCheck(state, input.membership, input.permissionSlug, input.resource);
}

function requirePermissionQuery(state: State, query: URLSearchParams): string {
  const slug = query.get('permission_slug') ?? '';
  if (slug === '') {
    throw invalidField('permission_slug', 'required', 'permission_slug is required.');
  }
  if (!state.permissions.has(slug) && state.settings.unknown_permission === 'error') {
    throw notFound('Permission', slug);
  }
  return slug;
}

function listResourcesForMembership({ state, params, query }: RequestContext) {
  const membership = requireMembership(state, params.id ?? '');
  const permissionSlug = requirePermissionQuery(state, query);
  const page = readPageRequest(query);
  const parent = resolveTarget(state, membership.organization_id, Object.fromEntries(query), {
    id: 'parent_resource_id',
    externalId: 'parent_resource_external_id',
    typeSlug: 'parent_resource_type_slug',
  });
  if (parent === undefined) {
    throw new ApiError(400, {
      message: 'Pass parent_resource_id, or parent_resource_external_id with parent_resource_type_slug.',
      code: 'bad_request',
    });
  }

  const children = [...state.childIdsOf(parent.id)]
    .map((id) => state.resources.get(id))
    .filter((child): child is Resource => {
      if (child === undefined) {
        return false;
      }
      if (state.settings.discovery === 'direct') {
        return hasDirectGrant(state, membership, permissionSlug, child) || hasDirectGrant(state, membership, permissionSlug, parent);
      }
      return check(state, membership, permissionSlug, child);
    });
  return { status: 200, body: paginate(state, children, page, (resource) => resourceJson(state, resource)) };
}

function listMembershipsForResource(state: State, resource: Resource, query: URLSearchParams) {
  const permissionSlug = requirePermissionQuery(state, query);
  const page = readPageRequest(query);
  const assignment = query.get('assignment') ?? 'direct';
  if (assignment !== 'direct' && assignment !== 'indirect') {
    throw invalidField('assignment', 'invalid_assignment', `assignment must be 'direct' or 'indirect', got '${assignment}'.`);
  }

  const memberships = [...state.membershipIdsOfOrganization(resource.organization_id)]
    .map((id) => state.memberships.get(id))
    .filter((membership): membership is Membership => {
      if (membership === undefined) {
        return false;
      }
      return assignment === 'direct'
        ? hasDirectGrant(state, membership, permissionSlug, resource)
        : check(state, membership, permissionSlug, resource);
    });
  return { status: 200, body: paginate(state, memberships, page, (membership) => authorizationMembershipJson(state, membership)) };
}

function listEffectivePermissions(state: State, membership: Membership, resource: Resource, query: URLSearchParams) {
  if (resource.organization_id !== membership.organization_id) {
    throw notFound('Authorization resource', resource.id);
  }
  const page = readPageRequest(query);
  const permissions = [...effectivePermissions(state, membership, resource)]
    .map((slug) => state.permissions.get(slug))
    .filter((permission): permission is Permission => permission !== undefined);
  return { status: 200, body: paginate(state, permissions, page, permissionJson) };
}

/** Registers the check and discovery routes. */
export function registerCheckRoutes(router: Router): void {
  router.add('POST', '/authorization/organization_memberships/:id/check', ({ state, params, body }) => {
    const input = readCheckInput(state, params.id ?? '', body);
    return { status: 200, body: { authorized: explain(state, input).authorized } };
  });
  router.add('GET', '/authorization/organization_memberships/:id/resources', listResourcesForMembership);
  router.add('GET', '/authorization/resources/:id/organization_memberships', ({ state, params, query }) =>
    listMembershipsForResource(state, requireResource(state, params.id ?? ''), query),
  );
  router.add('GET', '/authorization/organizations/:organizationId/resources/:typeSlug/:externalId/organization_memberships', ({ state, params, query }) =>
    listMembershipsForResource(state, resourceFromPath(state, params), query),
  );

  // The SDK and the OpenAPI document use different paths for the same list.
  router.add('GET', '/authorization/resources/:resourceId/organization_memberships/:id/permissions', ({ state, params, query }) =>
    listEffectivePermissions(state, requireMembership(state, params.id ?? ''), requireResource(state, params.resourceId ?? ''), query),
  );
  router.add('GET', '/authorization/organization_memberships/:id/resources/:resourceId/permissions', ({ state, params, query }) =>
    listEffectivePermissions(state, requireMembership(state, params.id ?? ''), requireResource(state, params.resourceId ?? ''), query),
  );
  router.add('GET', '/authorization/organization_memberships/:id/resources/:typeSlug/:externalId/permissions', ({ state, params, query }) => {
    const membership = requireMembership(state, params.id ?? '');
    const resource = state.findResourceByExternalId(membership.organization_id, params.typeSlug ?? '', params.externalId ?? '');
    if (resource === undefined) {
      throw notFound('Authorization resource', `${params.typeSlug ?? ''}/${params.externalId ?? ''}`);
    }
    return listEffectivePermissions(state, membership, resource, query);
  });
}
