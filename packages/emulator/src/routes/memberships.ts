import type { Membership, MembershipStatus } from '../entities.js';
import { ApiError, badRequest, unprocessable } from '../errors.js';
import { newId } from '../ids.js';
import { BodyReader } from '../input.js';
import { requireMembership, requireOrganization, requireUser } from '../lookup.js';
import { paginate, readPageRequest } from '../pagination.js';
import type { RequestContext, Router } from '../router.js';
import { membershipJson } from '../serialize.js';
import { timestamp, type State } from '../state.js';

const STATUSES: readonly MembershipStatus[] = ['active', 'inactive', 'pending'];

/**
 * Reads `role_slug` or `role_slugs` and returns the validated organization
 * roles, highest priority first; `undefined` when neither field is present.
 */
function readRoleSlugs(state: State, organizationId: string, reader: BodyReader): string[] | undefined {
  const single = reader.string('role_slug');
  const several = reader.stringArray('role_slugs');
  reader.done();

  if (single !== undefined && single !== null && several !== undefined) {
    throw unprocessable('Validation failed.', [{ field: 'role_slug', code: 'invalid_role', message: 'Pass either role_slug or role_slugs, not both.' }]);
  }
  let slugs: string[] | undefined;
  if (several !== undefined) {
    slugs = [...new Set(several)];
  } else if (single !== undefined && single !== null) {
    slugs = [single];
  }
  if (slugs === undefined) {
    return undefined;
  }

  if (slugs.length === 0) {
    throw unprocessable('Validation failed.', [{ field: 'role_slugs', code: 'invalid_role', message: 'role_slugs must name at least one role.' }]);
  }
  if (slugs.length > 1 && !state.settings.multiple_roles) {
    throw new ApiError(422, {
      message: 'Multiple roles are not enabled for this environment: pass a single role.',
      code: 'multiple_roles_not_enabled',
    });
  }
  for (const slug of slugs) {
    const role = state.findRole(organizationId, slug);
    if (role === undefined) {
      throw new ApiError(422, { message: `Role '${slug}' is not a valid role.`, code: 'invalid_role', role_slug: slug });
    }
    if (role.resource_type_slug !== 'organization') {
      throw new ApiError(422, {
        message: `Role '${slug}' is scoped to resource type '${role.resource_type_slug}': assign it on a resource instead.`,
        code: 'sub_resource_scoped_role_not_allowed',
        role_slug: slug,
      });
    }
  }

  // The primary role is the one of highest priority.
  const priority = state.rolesFor(organizationId).map((role) => role.slug);
  return slugs.sort((a, b) => priority.indexOf(a) - priority.indexOf(b));
}

function defaultRoles(state: State, organizationId: string): string[] {
  const slug = state.defaultRoleFor(organizationId);
  if (slug === null) {
    throw new ApiError(422, {
      message: 'No role was given and the environment has no default role: set is_default_role on a role in the seed.',
      code: 'invalid_role',
    });
  }
  return [slug];
}

function createMembership({ state, body }: RequestContext) {
  const reader = new BodyReader(body);
  const organizationId = reader.string('organization_id', { required: true });
  const userId = reader.string('user_id', { required: true });
  reader.done();
  requireOrganization(state, organizationId);
  requireUser(state, userId);
  const requested = readRoleSlugs(state, organizationId, reader);

  const existing = state.findMembership(userId, organizationId);
  if (existing !== undefined) {
    if (existing.status === 'pending') {
      throw badRequest('cannot_reactivate_pending_organization_membership', `Organization membership '${existing.id}' is pending and cannot be reactivated.`);
    }
    if (existing.status === 'active') {
      // The OpenAPI document lists no 409 for this operation; 400 matches its other membership conflicts.
      throw badRequest('organization_membership_already_exists', `User '${userId}' is already a member of organization '${organizationId}' (membership '${existing.id}').`);
    }

    // Creating a membership for an inactive pair reactivates it with the requested roles.
    existing.status = 'active';
    existing.role_slugs = requested ?? defaultRoles(state, organizationId);
    existing.updated_at = timestamp();
    return { status: 201, body: membershipJson(state, existing) };
  }

  const now = timestamp();
  const membership: Membership = {
    id: newId('om'),
    user_id: userId,
    organization_id: organizationId,
    status: 'active',
    role_slugs: requested ?? defaultRoles(state, organizationId),
    created_at: now,
    updated_at: now,
  };
  state.addMembership(membership);
  return { status: 201, body: membershipJson(state, membership) };
}

function updateMembership({ state, body, params }: RequestContext) {
  const membership = requireMembership(state, params.id ?? '');
  const requested = readRoleSlugs(state, membership.organization_id, new BodyReader(body));
  if (requested !== undefined) {
    membership.role_slugs = requested;
  }
  membership.updated_at = timestamp();
  return { status: 200, body: membershipJson(state, membership) };
}

function setStatus(target: 'active' | 'inactive') {
  return ({ state, params }: RequestContext) => {
    const membership = requireMembership(state, params.id ?? '');
    if (membership.status === 'pending') {
      const verb = target === 'active' ? 'reactivate' : 'deactivate';
      throw badRequest(`cannot_${verb}_pending_organization_membership`, `Organization membership '${membership.id}' is pending and cannot be ${verb}d.`);
    }
    if (membership.status !== target) {
      membership.status = target;
      membership.updated_at = timestamp();
    }
    return { status: 200, body: membershipJson(state, membership) };
  };
}

function listMemberships({ state, query }: RequestContext) {
  const page = readPageRequest(query);
  const userId = query.get('user_id') ?? '';
  const organizationId = query.get('organization_id') ?? '';
  if (userId === '' && organizationId === '') {
    throw badRequest('missing_user_id_or_organization_id', 'Pass user_id, organization_id or both.');
  }

  const statuses = (query.get('statuses') ?? 'active').split(',').filter((status) => status !== '');
  for (const status of statuses) {
    if (!STATUSES.includes(status as MembershipStatus)) {
      throw unprocessable('Validation failed.', [{ field: 'statuses', code: 'invalid_status', message: `Unknown status '${status}': use active, inactive or pending.` }]);
    }
  }

  const candidates = userId !== '' ? state.membershipIdsOfUser(userId) : state.membershipIdsOfOrganization(organizationId);
  const memberships = [...candidates]
    .map((id) => state.memberships.get(id))
    .filter(
      (membership): membership is Membership =>
        membership !== undefined &&
        (organizationId === '' || membership.organization_id === organizationId) &&
        statuses.includes(membership.status),
    );
  return { status: 200, body: paginate(state, memberships, page, (membership) => membershipJson(state, membership)) };
}

/** Registers the organization membership routes. */
export function registerMembershipRoutes(router: Router): void {
  router.add('GET', '/user_management/organization_memberships', listMemberships);
  router.add('POST', '/user_management/organization_memberships', createMembership);
  router.add('GET', '/user_management/organization_memberships/:id', ({ state, params }) => ({
    status: 200,
    body: membershipJson(state, requireMembership(state, params.id ?? '')),
  }));
  router.add('PUT', '/user_management/organization_memberships/:id', updateMembership);
  router.add('PUT', '/user_management/organization_memberships/:id/deactivate', setStatus('inactive'));
  router.add('PUT', '/user_management/organization_memberships/:id/reactivate', setStatus('active'));
  router.add('DELETE', '/user_management/organization_memberships/:id', ({ state, params }) => {
    requireMembership(state, params.id ?? '');
    state.removeMembership(params.id ?? '');
    return { status: 200 };
  });
}
