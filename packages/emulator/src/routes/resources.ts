import type { Resource } from '../entities.js';
import { ApiError, conflict, invalidField, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { BodyReader } from '../input.js';
import { requireOrganization, requireResource, requireResourceByExternalId, resolveTarget } from '../lookup.js';
import { paginate, readPageRequest } from '../pagination.js';
import type { RequestContext, Router } from '../router.js';
import { resourceJson } from '../serialize.js';
import { requireResourceType } from './permissions.js';
import { timestamp, type State } from '../state.js';

const PARENT_TARGET = { id: 'parent_resource_id', externalId: 'parent_resource_external_id', typeSlug: 'parent_resource_type_slug' };

/** Checks that `parent` may hold a resource of `typeSlug` whose subtree is `height` levels tall. */
function assertValidParent(state: State, typeSlug: string, parent: Resource, organizationId: string, height: number): void {
  if (parent.organization_id !== organizationId) {
    throw invalidField('parent_resource_id', 'invalid_parent_resource', `Parent resource '${parent.id}' belongs to another organization.`);
  }

  const type = state.resourceTypes.get(typeSlug);
  if (type !== undefined && !type.parents.includes(parent.resource_type_slug)) {
    throw invalidField(
      'parent_resource_id',
      'invalid_parent_resource_type',
      `A '${typeSlug}' resource cannot have a '${parent.resource_type_slug}' parent: allowed parent types are ${type.parents.join(', ')}.`,
    );
  }

  const depth = state.depthOf(parent) + 1 + height;
  if (depth > state.settings.max_depth) {
    throw invalidField(
      'parent_resource_id',
      'hierarchy_depth_exceeded',
      `The resource would sit ${depth} levels below the organization, more than the limit of ${state.settings.max_depth}.`,
    );
  }
}

/**
 * Rejects changes to an organization's root resource with a 403: the OpenAPI
 * document lists it for both update and delete, while its 400 and 409 carry
 * other codes.
 */
function rejectRoot(resource: Resource): void {
  if (resource.parent_id === null) {
    throw new ApiError(403, {
      message: `Resource '${resource.id}' is the organization's root resource: it changes only with its organization.`,
      code: 'organization_resource_immutable',
    });
  }
}

function createResource({ state, body }: RequestContext) {
  const reader = new BodyReader(body);
  const organizationId = reader.string('organization_id', { required: true });
  const typeSlug = reader.string('resource_type_slug', { required: true });
  const externalId = reader.string('external_id', { required: true, maxLength: 128 });
  const name = reader.string('name', { required: true, maxLength: 48 });
  const description = reader.string('description', { nullable: true, maxLength: 150 });
  reader.done();

  if (typeSlug === 'organization') {
    throw invalidField('resource_type_slug', 'invalid_resource_type', 'Organization resources are created with their organization, not through this endpoint.');
  }
  requireResourceType(state, typeSlug);
  requireOrganization(state, organizationId);

  const fields = body as Record<string, unknown>;
  // A parent in another organization is found, so that the parent check rejects it with a 422.
  const parent = resolveTarget(state, organizationId, fields, PARENT_TARGET, 'return') ?? state.rootResourceOf(organizationId);
  if (parent === undefined) {
    throw notFound('Authorization resource', organizationId);
  }
  assertValidParent(state, typeSlug, parent, organizationId, 0);

  if (state.findResourceByExternalId(organizationId, typeSlug, externalId) !== undefined) {
    throw conflict('authorization_resource_external_id_conflict', `A '${typeSlug}' resource with external_id '${externalId}' already exists in this organization.`);
  }

  const now = timestamp();
  const resource: Resource = {
    id: newId('authz_resource'),
    external_id: externalId,
    name,
    description: description ?? null,
    resource_type_slug: typeSlug,
    organization_id: organizationId,
    parent_id: parent.id,
    created_at: now,
    updated_at: now,
  };
  state.addResource(resource);
  return { status: 201, body: resourceJson(state, resource) };
}

function updateResource(state: State, resource: Resource, body: unknown) {
  rejectRoot(resource);
  const reader = new BodyReader(body);
  const name = reader.string('name', { maxLength: 48 });
  const description = reader.string('description', { nullable: true, maxLength: 150 });
  const externalId = reader.string('external_id');
  reader.done();

  if (externalId !== undefined && externalId !== resource.external_id) {
    throw invalidField('external_id', 'immutable', 'A resource keeps the external_id it was created with.');
  }

  const fields = (body ?? {}) as Record<string, unknown>;
  // An explicit null parent moves the resource to the top level, under the organization's root.
  const parent =
    fields.parent_resource_id === null ? state.rootResourceOf(resource.organization_id) : resolveTarget(state, resource.organization_id, fields, PARENT_TARGET, 'return');
  if (parent !== undefined && parent.id !== resource.parent_id) {
    if (state.ancestry(parent).some((ancestor) => ancestor.id === resource.id)) {
      throw invalidField('parent_resource_id', 'invalid_parent_resource', `Resource '${parent.id}' is inside the subtree of '${resource.id}': a resource cannot move under itself.`);
    }
    assertValidParent(state, resource.resource_type_slug, parent, resource.organization_id, state.subtreeHeight(resource.id));
    state.setResourceParent(resource, parent.id);
  }

  if (name !== undefined && name !== null) {
    resource.name = name;
  }
  if (description !== undefined) {
    resource.description = description;
  }
  resource.updated_at = timestamp();
  return { status: 200, body: resourceJson(state, resource) };
}

function deleteResource(state: State, resource: Resource, query: URLSearchParams) {
  rejectRoot(resource);
  const cascade = query.get('cascade_delete');
  if (cascade !== null && cascade !== 'true' && cascade !== 'false') {
    throw invalidField('cascade_delete', 'invalid_type', `cascade_delete must be 'true' or 'false', got '${cascade}'.`);
  }

  if (state.hasDependents(resource.id) && cascade !== 'true') {
    throw new ApiError(409, {
      message: `Resource '${resource.id}' has child resources or role assignments: delete them first or pass cascade_delete=true.`,
      code: 'resource_has_dependents',
    });
  }
  state.removeResourceTree(resource.id);
  return { status: 204 };
}

function listResources({ state, query }: RequestContext) {
  const page = readPageRequest(query);
  const organizationId = query.get('organization_id') ?? '';
  const typeSlug = query.get('resource_type_slug') ?? '';
  const externalId = query.get('resource_external_id') ?? '';
  let parentId = query.get('parent_resource_id') ?? '';
  const parentTypeSlug = query.get('parent_resource_type_slug') ?? '';
  const parentExternalId = query.get('parent_external_id') ?? query.get('parent_resource_external_id') ?? '';

  if (parentExternalId !== '' || parentTypeSlug !== '') {
    if (parentExternalId === '' || parentTypeSlug === '' || organizationId === '') {
      throw invalidField('parent_external_id', 'required', 'Filtering by parent external id needs parent_resource_type_slug, parent_external_id and organization_id.');
    }
    // An unknown parent is a filter that matches nothing, not an error.
    parentId = state.findResourceByExternalId(organizationId, parentTypeSlug, parentExternalId)?.id ?? 'none';
  }

  let candidates: Iterable<string>;
  if (parentId !== '') {
    candidates = state.childIdsOf(parentId);
  } else if (organizationId !== '') {
    candidates = state.resourceIdsOfOrganization(organizationId);
  } else {
    candidates = state.resources.keys();
  }

  // Root resources are listed only when asked for by type.
  const resources = [...candidates]
    .map((id) => state.resources.get(id))
    .filter(
      (resource): resource is Resource =>
        resource !== undefined &&
        (resource.parent_id !== null || typeSlug === 'organization') &&
        (organizationId === '' || resource.organization_id === organizationId) &&
        (typeSlug === '' || resource.resource_type_slug === typeSlug) &&
        (externalId === '' || resource.external_id === externalId),
    );
  return { status: 200, body: paginate(state, resources, page, (resource) => resourceJson(state, resource)) };
}

/** Finds the resource that a by-external-id route names, checking the organization first. */
export function resourceFromPath(state: State, params: Record<string, string>): Resource {
  const organizationId = params.organizationId ?? '';
  requireOrganization(state, organizationId);
  return requireResourceByExternalId(state, organizationId, params.typeSlug ?? '', params.externalId ?? '');
}

/** Registers the authorization resource routes. */
export function registerResourceRoutes(router: Router): void {
  const byExternalId = '/authorization/organizations/:organizationId/resources/:typeSlug/:externalId';

  router.add('GET', '/authorization/resources', listResources);
  router.add('POST', '/authorization/resources', createResource);
  router.add('GET', '/authorization/resources/:id', ({ state, params }) => ({
    status: 200,
    body: resourceJson(state, requireResource(state, params.id ?? '')),
  }));
  router.add('PATCH', '/authorization/resources/:id', ({ state, params, body }) => updateResource(state, requireResource(state, params.id ?? ''), body));
  router.add('DELETE', '/authorization/resources/:id', ({ state, params, query }) => deleteResource(state, requireResource(state, params.id ?? ''), query));
  router.add('GET', byExternalId, ({ state, params }) => ({ status: 200, body: resourceJson(state, resourceFromPath(state, params)) }));
  router.add('PATCH', byExternalId, ({ state, params, body }) => updateResource(state, resourceFromPath(state, params), body));
  router.add('DELETE', byExternalId, ({ state, params, query }) => deleteResource(state, resourceFromPath(state, params), query));
}
