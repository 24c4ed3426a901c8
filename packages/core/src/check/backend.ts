import type { WorkOS } from '@workos-inc/node';

import type { ResourceRef } from './types.js';

/** A resource as returned by resource discovery. */
export interface DiscoveredResource {
  resourceId: string;
  resourceTypeSlug: string;
  resourceExternalId: string;
}

/**
 * The upstream calls the check client makes. The WorkOS implementation is
 * the default; the testing kit scripts one.
 */
export interface CheckBackend {
  /**
   * Returns whether the membership has the permission on the resource.
   * Rejects with an error whose `status` is 404 when WorkOS does not know the
   * membership or the resource.
   */
  check(organizationMembershipId: string, permission: string, resource: ResourceRef): Promise<boolean>;
  /** Finds the membership of an app user in an app organization, by their external ids. */
  findMembershipId(userId: string, organizationId: string): Promise<string | undefined>;
  /** Lists the children of `parent` on which the membership has the permission. */
  listResources(organizationMembershipId: string, permission: string, parent: ResourceRef): Promise<DiscoveredResource[]>;
}

/** Returns true when an error is an HTTP 404 from WorkOS (or a backend that imitates it). */
export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/**
 * Returns true when WorkOS rejected the request itself (400, 404, 409, 422):
 * the service is up, so the circuit breaker must not count it. A caller who
 * sends malformed resource references must not open the circuit for all.
 */
export function isRequestRejection(error: unknown): boolean {
  const status = statusOf(error);
  return status === 400 || status === 404 || status === 409 || status === 422;
}

function statusOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'status' in error ? error.status : undefined;
}

/** Builds the backend that calls WorkOS through the SDK. */
export function workosBackend(workos: WorkOS): CheckBackend {
  return {
    async check(organizationMembershipId, permission, resource) {
      const result: { authorized?: unknown } | null = await workos.authorization.check({ organizationMembershipId, permissionSlug: permission, ...resource });

      // Only a literal true allows: anything malformed fails closed, as an upstream error.
      if (typeof result?.authorized !== 'boolean') {
        throw new TypeError(`[fgakit] WorkOS returned an invalid check response ${JSON.stringify(result)}: expected { "authorized": true | false }.`);
      }
      return result.authorized;
    },

    async findMembershipId(userId, organizationId) {
      const found = await Promise.all([
        workos.userManagement.getUserByExternalId(userId).catch(nullWhenNotFound),
        workos.organizations.getOrganizationByExternalId(organizationId).catch(nullWhenNotFound),
      ]);
      const [user, organization] = found;
      if (user === null || organization === null) {
        return undefined;
      }

      const page = await workos.userManagement.listOrganizationMemberships({
        userId: user.id,
        organizationId: organization.id,
        statuses: ['active'],
      });
      return page.data[0]?.id;
    },

    async listResources(organizationMembershipId, permission, parent) {
      const parentOptions =
        'resourceId' in parent
          ? { parentResourceId: parent.resourceId }
          : { parentResourceTypeSlug: parent.resourceTypeSlug, parentResourceExternalId: parent.resourceExternalId };
      const found: DiscoveredResource[] = [];
      let after: string | null | undefined;

      // Pages by hand: the SDK's autoPagination() sleeps 350 ms between pages.
      do {
        const page = await workos.authorization.listResourcesForMembership({
          organizationMembershipId,
          permissionSlug: permission,
          limit: 100,
          ...(after == null ? {} : { after }),
          ...parentOptions,
        });
        for (const resource of page.data) {
          found.push({
            resourceId: resource.id,
            resourceTypeSlug: resource.resourceTypeSlug,
            resourceExternalId: resource.externalId,
          });
        }
        after = page.listMetadata.after;
      } while (after != null);

      return found;
    },
  };
}

function nullWhenNotFound(error: unknown): null {
  if (isNotFound(error)) {
    return null;
  }
  throw error;
}
