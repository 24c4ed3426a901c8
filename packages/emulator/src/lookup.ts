import type { Membership, Organization, Resource, User } from './entities.js';
import { notFound, unprocessable } from './errors.js';
import type { State } from './state.js';

/** Returns the organization or throws a 404. */
export function requireOrganization(state: State, id: string): Organization {
  const organization = state.organizations.get(id);
  if (organization === undefined) {
    throw notFound('Organization', id);
  }
  return organization;
}

/** Returns the user or throws a 404. */
export function requireUser(state: State, id: string): User {
  const user = state.users.get(id);
  if (user === undefined) {
    throw notFound('User', id);
  }
  return user;
}

/** Returns the organization membership or throws a 404. */
export function requireMembership(state: State, id: string): Membership {
  const membership = state.memberships.get(id);
  if (membership === undefined) {
    throw notFound('Organization membership', id);
  }
  return membership;
}

/** Returns the resource or throws a 404. */
export function requireResource(state: State, id: string): Resource {
  const resource = state.resources.get(id);
  if (resource === undefined) {
    throw notFound('Authorization resource', id);
  }
  return resource;
}

/** Returns the resource of an organization with that type and external id, or throws a 404. */
export function requireResourceByExternalId(state: State, organizationId: string, typeSlug: string, externalId: string): Resource {
  const resource = state.findResourceByExternalId(organizationId, typeSlug, externalId);
  if (resource === undefined) {
    throw notFound('Authorization resource', `${typeSlug}/${externalId}`);
  }
  return resource;
}

/** Field names of a reference to a resource in a body or query. */
export interface TargetFields {
  id: string;
  externalId: string;
  typeSlug: string;
}

/** The usual field names: `resource_id`, or `resource_external_id` with `resource_type_slug`. */
export const RESOURCE_TARGET: TargetFields = {
  id: 'resource_id',
  externalId: 'resource_external_id',
  typeSlug: 'resource_type_slug',
};

/**
 * Resolves a resource named by id or by type and external id within one
 * organization. A resource of another organization is reported as not found.
 * Returns `undefined` when neither form is present.
 */
export function resolveTarget(
  state: State,
  organizationId: string,
  fields: Record<string, unknown>,
  names: TargetFields = RESOURCE_TARGET,
  otherOrganizations: 'not_found' | 'return' = 'not_found',
): Resource | undefined {
  const id = fields[names.id];
  const externalId = fields[names.externalId];
  const typeSlug = fields[names.typeSlug];

  if (typeof id === 'string' && id !== '') {
    if (typeof externalId === 'string' && externalId !== '') {
      throw unprocessable('Validation failed.', [
        { field: names.id, code: 'invalid_resource_reference', message: `Pass either ${names.id} or ${names.externalId} with ${names.typeSlug}, not both.` },
      ]);
    }
    const resource = state.resources.get(id);
    if (resource === undefined || (resource.organization_id !== organizationId && otherOrganizations === 'not_found')) {
      throw notFound('Authorization resource', id);
    }
    return resource;
  }

  if (typeof externalId === 'string' && externalId !== '') {
    if (typeof typeSlug !== 'string' || typeSlug === '') {
      throw unprocessable('Validation failed.', [
        { field: names.typeSlug, code: 'required', message: `${names.typeSlug} is required with ${names.externalId}.` },
      ]);
    }
    return requireResourceByExternalId(state, organizationId, typeSlug, externalId);
  }
  return undefined;
}
