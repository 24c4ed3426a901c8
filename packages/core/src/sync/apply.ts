import type { CreateUserOptions, OrganizationMembership, RoleAssignment, User, WorkOS } from '@workos-inc/node';

type PasswordHashType = NonNullable<CreateUserOptions['passwordHashType']>;
import type { DecisionInvalidation } from '../invalidation.js';
import { isConflict, isNotFound, PermanentSyncError, PrerequisitePendingError } from './errors.js';
import { entityKey } from './keys.js';
import type { DesiredStateStore } from './store.js';
import type { DesiredRecord, ResourceGrant, SyncResourceRef } from './types.js';

/** Worker services that converging an entity uses. */
export interface ApplyContext {
  workos: WorkOS;
  store: DesiredStateStore;
  /** Enqueues prerequisites the entity waits for. */
  enqueue(entities: readonly string[]): Promise<void>;
  /** Publishes a decision invalidation to check clients. */
  invalidate(invalidation: DecisionInvalidation): Promise<void>;
}

/** Result of converging one entity. */
export interface ApplyResult {
  /** Number of WorkOS writes made; 0 when WorkOS already matched. */
  writes: number;
}

const ALL_STATUSES = ['active', 'inactive', 'pending'] as const;

/**
 * Brings one entity of WorkOS to its desired state. Every step first reads
 * WorkOS, so running it again, or after a partial run, makes no further
 * change.
 */
export async function applyDesiredState(context: ApplyContext, record: DesiredRecord): Promise<ApplyResult> {
  switch (record.entity.kind) {
    case 'organization':
      return await applyOrganization(context, record, record.entity.organizationId);
    case 'user':
      return await applyUser(context, record, record.entity.userId);
    case 'membership':
      return await applyMembership(context, record, record.entity.userId, record.entity.organizationId);
    case 'resource':
      return await applyResource(context, record, record.entity);
  }
}

/** Runs a WorkOS lookup, returning undefined instead of throwing on 404. */
export async function findOrNull<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) {
      return undefined;
    }

    throw error;
  }
}

async function ignoreNotFound(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!isNotFound(error)) {
      throw error;
    }
  }
}

async function applyOrganization(context: ApplyContext, record: DesiredRecord, organizationId: string): Promise<ApplyResult> {
  const { workos, store } = context;
  const name = String(record.data['name']);
  let writes = 0;

  if (!record.exists) {
    // NOTE: sync has no operation that deletes an organization yet, so a
    // removed organization record only drops the learned id.
    await store.forgetIds([record.key]);
    return { writes };
  }

  let organization = await findOrNull(() => workos.organizations.getOrganizationByExternalId(organizationId));
  if (!organization) {
    try {
      organization = await workos.organizations.createOrganization({ name, externalId: organizationId });
      writes++;
    } catch (error) {
      // Another worker created it between the lookup and the create.
      organization = await findOrNull(() => workos.organizations.getOrganizationByExternalId(organizationId));
      if (!organization) {
        throw error;
      }
    }
  }

  await store.setId(record.key, organization.id);

  if (organization.name !== name) {
    await workos.organizations.updateOrganization({ organization: organization.id, name });
    writes++;
  }

  return { writes };
}

function isEmailConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) {
    return false;
  }

  const status = (error as { status?: unknown }).status;
  if (status !== 400 && status !== 409 && status !== 422) {
    return false;
  }

  const details = JSON.stringify({
    code: (error as { code?: unknown }).code,
    errors: (error as { errors?: unknown }).errors,
    message: (error as { message?: unknown }).message,
  });
  return /email/i.test(details);
}

async function createOrAdoptUser(context: ApplyContext, userId: string, data: Record<string, unknown>): Promise<User> {
  const { workos } = context;
  const email = String(data['email']);
  const firstName = typeof data['firstName'] === 'string' ? data['firstName'] : undefined;
  const lastName = typeof data['lastName'] === 'string' ? data['lastName'] : undefined;

  // Only import puts these fields in the record, in memory: password hashes
  // are passed through to WorkOS and never stored in Redis.
  const passwordHash = typeof data['passwordHash'] === 'string' ? data['passwordHash'] : undefined;
  const passwordHashType = typeof data['passwordHashType'] === 'string' ? (data['passwordHashType'] as PasswordHashType) : undefined;
  const emailVerified = typeof data['emailVerified'] === 'boolean' ? data['emailVerified'] : undefined;

  try {
    return await workos.userManagement.createUser({
      email,
      externalId: userId,
      ...(passwordHash === undefined || passwordHashType === undefined ? {} : { passwordHash, passwordHashType }),
      ...(emailVerified === undefined ? {} : { emailVerified }),
      ...(firstName === undefined ? {} : { firstName }),
      ...(lastName === undefined ? {} : { lastName }),
    });
  } catch (error) {
    if (!isEmailConflict(error)) {
      throw error;
    }

    // The email is taken. Adopt that user only when it carries this external
    // id, which means an earlier run created it and its response was lost.
    const existing = (await workos.userManagement.listUsers({ email })).data.find((u) => u.email.toLowerCase() === email.toLowerCase());
    if (existing?.externalId === userId) {
      return existing;
    }

    throw new PermanentSyncError(
      `email ${JSON.stringify(email)} belongs to WorkOS user ${existing?.id ?? '(unknown)'} whose external id is ${JSON.stringify(existing?.externalId ?? null)}, not ${JSON.stringify(userId)}`,
      { cause: error },
    );
  }
}

async function applyUser(context: ApplyContext, record: DesiredRecord, userId: string): Promise<ApplyResult> {
  const { workos, store } = context;
  let writes = 0;

  if (!record.exists) {
    const user = await findOrNull(() => workos.userManagement.getUserByExternalId(userId));
    if (user) {
      await ignoreNotFound(() => workos.userManagement.deleteUser(user.id));
      writes++;
    }

    // WorkOS deleted the user's memberships with it: forget their ids and
    // drop cached decisions.
    const membershipKeys = await store.membershipsOf(userId);
    for (const key of membershipKeys) {
      const membershipId = await store.getId(key);
      if (membershipId !== undefined) {
        await context.invalidate({ kind: 'membership', organizationMembershipId: membershipId });
      }
    }

    await store.forgetIds([record.key, ...membershipKeys]);
    return { writes };
  }

  let user = await findOrNull(() => workos.userManagement.getUserByExternalId(userId));
  if (!user) {
    user = await createOrAdoptUser(context, userId, record.data);
    writes++;
  }

  await store.setId(record.key, user.id);

  const email = String(record.data['email']);
  const firstName = record.data['firstName'];
  const lastName = record.data['lastName'];
  const update = {
    ...(user.email === email ? {} : { email }),
    ...(typeof firstName === 'string' && user.firstName !== firstName ? { firstName } : {}),
    ...(typeof lastName === 'string' && user.lastName !== lastName ? { lastName } : {}),
  };

  if (Object.keys(update).length > 0) {
    await workos.userManagement.updateUser({ userId: user.id, ...update });
    writes++;
  }

  return { writes };
}

/**
 * Returns the WorkOS id of an organization or user the entity depends on, or
 * throws {@link PrerequisitePendingError} (after enqueueing it) while it is
 * not in WorkOS yet.
 */
async function requirePrerequisite(
  context: ApplyContext,
  key: string,
  label: string,
  lookup: () => Promise<{ id: string } | undefined>,
): Promise<string> {
  const learned = await context.store.getId(key);
  if (learned !== undefined) {
    return learned;
  }

  const found = await lookup();
  if (found) {
    await context.store.setId(key, found.id);
    return found.id;
  }

  const prerequisite = await context.store.read(key);
  if (prerequisite && !prerequisite.exists) {
    throw new PermanentSyncError(`${label} was deleted`);
  }

  // A prerequisite whose latest version failed will not arrive by waiting.
  if (prerequisite && hasFailed(prerequisite)) {
    throw new PermanentSyncError(`${label} failed to sync: ${prerequisite.failedReason}`);
  }

  if (prerequisite) {
    await context.enqueue([key]);
    throw new PrerequisitePendingError(`${label} is not in WorkOS yet; waiting for it`);
  }

  throw new PrerequisitePendingError(`${label} is not in WorkOS and sync has no record of it; record it through sync first`);
}

function hasFailed(record: DesiredRecord): boolean {
  return record.failedVersion >= record.version && record.failedReason !== undefined;
}

/** Looks an id up without waiting: learned id first, then WorkOS. */
async function findId(context: ApplyContext, key: string, lookup: () => Promise<{ id: string } | undefined>): Promise<string | undefined> {
  return (await context.store.getId(key)) ?? (await lookup())?.id;
}

async function listMemberships(workos: WorkOS, userId: string, organizationId: string): Promise<OrganizationMembership[]> {
  const page = await workos.userManagement.listOrganizationMemberships({ userId, organizationId, statuses: [...ALL_STATUSES] });
  return await page.autoPagination();
}

function roleSlugs(membership: OrganizationMembership): string[] {
  return (membership.roles ?? [membership.role]).map((role) => role.slug).sort();
}

function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((role, index) => role === b[index]);
}

function roleOptions(roles: readonly string[]): { roleSlug: string } | { roleSlugs: string[] } {
  const [only, ...rest] = roles;
  return only !== undefined && rest.length === 0 ? { roleSlug: only } : { roleSlugs: [...roles] };
}

async function applyMembership(context: ApplyContext, record: DesiredRecord, userId: string, organizationId: string): Promise<ApplyResult> {
  const { workos, store } = context;
  const userKey = entityKey({ kind: 'user', userId });
  const organizationKey = entityKey({ kind: 'organization', organizationId });
  const label = `membership of user ${JSON.stringify(userId)} in organization ${JSON.stringify(organizationId)}`;
  let writes = 0;

  if (!record.exists) {
    const workosUserId = await findId(context, userKey, () => findOrNull(() => workos.userManagement.getUserByExternalId(userId)));
    const workosOrganizationId = await findId(context, organizationKey, () =>
      findOrNull(() => workos.organizations.getOrganizationByExternalId(organizationId)),
    );

    if (workosUserId !== undefined && workosOrganizationId !== undefined) {
      for (const membership of await listMemberships(workos, workosUserId, workosOrganizationId)) {
        await ignoreNotFound(() => workos.userManagement.deleteOrganizationMembership(membership.id));
        await context.invalidate({ kind: 'membership', organizationMembershipId: membership.id });
        writes++;
      }
    }

    // An earlier attempt may have deleted it and lost the response: drop the
    // decisions of the membership id learned before.
    const learnedId = await store.getId(record.key);
    if (learnedId !== undefined) {
      await context.invalidate({ kind: 'membership', organizationMembershipId: learnedId });
    }

    await store.forgetIds([record.key]);
    return { writes };
  }

  const workosOrganizationId = await requirePrerequisite(context, organizationKey, `organization ${JSON.stringify(organizationId)}`, () =>
    findOrNull(() => workos.organizations.getOrganizationByExternalId(organizationId)),
  );
  const workosUserId = await requirePrerequisite(context, userKey, `user ${JSON.stringify(userId)}`, () =>
    findOrNull(() => workos.userManagement.getUserByExternalId(userId)),
  );

  const desiredRoles = Array.isArray(record.data['roles']) ? (record.data['roles'] as string[]) : undefined;
  let membership = (await listMemberships(workos, workosUserId, workosOrganizationId))[0];

  if (!membership) {
    membership = await workos.userManagement.createOrganizationMembership({
      userId: workosUserId,
      organizationId: workosOrganizationId,
      ...(desiredRoles === undefined ? {} : roleOptions(desiredRoles)),
    });
    writes++;
  }

  await store.setId(record.key, membership.id);

  if (membership.status === 'inactive') {
    membership = await workos.userManagement.reactivateOrganizationMembership(membership.id);
    writes++;
  }

  if (desiredRoles !== undefined && !sameRoles(roleSlugs(membership), desiredRoles)) {
    await workos.userManagement.updateOrganizationMembership(membership.id, roleOptions(desiredRoles));
    writes++;
  }

  writes += await applyGrants(context, membership.id, organizationId, record.grants, label);

  // Published even when this run wrote nothing: an earlier attempt may have
  // changed WorkOS and lost the response, so no invalidation went out yet.
  await context.invalidate({ kind: 'membership', organizationMembershipId: membership.id });

  return { writes };
}

function grantId(grant: ResourceGrant): string {
  return JSON.stringify([grant.resourceTypeSlug, grant.resourceId, grant.role]);
}

function assignmentGrant(assignment: RoleAssignment): ResourceGrant {
  return { resourceTypeSlug: assignment.resource.resourceTypeSlug, resourceId: assignment.resource.externalId, role: assignment.role.slug };
}

/** Makes the direct resource-role assignments of a membership equal the desired grants, removals first. */
async function applyGrants(
  context: ApplyContext,
  membershipId: string,
  organizationId: string,
  grants: readonly ResourceGrant[],
  label: string,
): Promise<number> {
  const { workos, store } = context;
  let writes = 0;

  const page = await workos.authorization.listRoleAssignments({ organizationMembershipId: membershipId });
  const assignments = (await page.autoPagination()).filter(
    // Group-sourced roles belong to directory sync, and organization-level
    // roles to the membership's roles; sync manages neither here.
    (assignment) => assignment.source.type === 'direct' && assignment.resource.resourceTypeSlug !== 'organization',
  );

  const desired = new Map(grants.map((grant) => [grantId(grant), grant]));
  const current = new Map(assignments.map((assignment) => [grantId(assignmentGrant(assignment)), assignment]));

  for (const [id, assignment] of current) {
    if (!desired.has(id)) {
      await ignoreNotFound(() => workos.authorization.removeRoleAssignment({ organizationMembershipId: membershipId, roleAssignmentId: assignment.id }));
      writes++;
    }
  }

  const waiting: string[] = [];
  for (const [id, grant] of desired) {
    if (current.has(id)) {
      continue;
    }

    const resourceKey = entityKey({ kind: 'resource', organizationId, resourceTypeSlug: grant.resourceTypeSlug, resourceId: grant.resourceId });
    const resource = await store.read(resourceKey);
    if (resource && !resource.exists) {
      // The resource was deleted, and its assignments with it.
      continue;
    }

    if (resource && resource.synced < resource.version && (await store.getId(resourceKey)) === undefined) {
      if (hasFailed(resource)) {
        throw new PermanentSyncError(`${label}: resource ${grant.resourceTypeSlug}/${grant.resourceId} failed to sync: ${resource.failedReason ?? ''}`);
      }

      waiting.push(resourceKey);
      continue;
    }

    try {
      await workos.authorization.assignRole({
        organizationMembershipId: membershipId,
        roleSlug: grant.role,
        resourceExternalId: grant.resourceId,
        resourceTypeSlug: grant.resourceTypeSlug,
      });
      writes++;
    } catch (error) {
      if (isConflict(error)) {
        continue;
      }

      if (isNotFound(error) && resource) {
        waiting.push(resourceKey);
        continue;
      }

      throw error;
    }
  }

  if (waiting.length > 0) {
    await context.enqueue(waiting);
    throw new PrerequisitePendingError(`${label}: waiting for resources ${waiting.join(', ')} to reach WorkOS`);
  }

  return writes;
}

async function applyResource(
  context: ApplyContext,
  record: DesiredRecord,
  entity: { organizationId: string; resourceTypeSlug: string; resourceId: string },
): Promise<ApplyResult> {
  const { workos, store } = context;
  const { organizationId, resourceTypeSlug, resourceId } = entity;
  const organizationKey = entityKey({ kind: 'organization', organizationId });
  let writes = 0;

  if (!record.exists) {
    const workosOrganizationId = await findId(context, organizationKey, () =>
      findOrNull(() => workos.organizations.getOrganizationByExternalId(organizationId)),
    );

    if (workosOrganizationId !== undefined) {
      const resource = await findOrNull(() =>
        workos.authorization.getResourceByExternalId({ organizationId: workosOrganizationId, resourceTypeSlug, externalId: resourceId }),
      );
      if (resource) {
        // Cascade: WorkOS rejects deleting a resource with children or
        // assignments otherwise, and a deleted resource takes them along.
        await ignoreNotFound(() => workos.authorization.deleteResource({ resourceId: resource.id, cascadeDelete: true }));
        writes++;
      }

      // The cascade removed the descendants too, whose cached decisions the
      // resource's own invalidation does not cover.
      await context.invalidate({ kind: 'all' });
    }

    await store.forgetIds([record.key]);
    return { writes };
  }

  const workosOrganizationId = await requirePrerequisite(context, organizationKey, `organization ${JSON.stringify(organizationId)}`, () =>
    findOrNull(() => workos.organizations.getOrganizationByExternalId(organizationId)),
  );

  const name = String(record.data['name']);
  const parent = record.data['parent'] as SyncResourceRef | undefined;
  let parentResourceId: string | undefined;
  if (parent) {
    const parentKey = entityKey({ kind: 'resource', organizationId, ...parent });
    parentResourceId = await requirePrerequisite(context, parentKey, `parent resource ${parent.resourceTypeSlug}/${parent.resourceId}`, () =>
      findOrNull(() =>
        workos.authorization.getResourceByExternalId({
          organizationId: workosOrganizationId,
          resourceTypeSlug: parent.resourceTypeSlug,
          externalId: parent.resourceId,
        }),
      ),
    );
  }

  const lookup = (): Promise<Awaited<ReturnType<WorkOS['authorization']['getResourceByExternalId']>> | undefined> =>
    findOrNull(() => workos.authorization.getResourceByExternalId({ organizationId: workosOrganizationId, resourceTypeSlug, externalId: resourceId }));

  let resource = await lookup();
  if (!resource) {
    try {
      resource = await workos.authorization.createResource({
        organizationId: workosOrganizationId,
        resourceTypeSlug,
        externalId: resourceId,
        name,
        ...(parent ? { parentResourceExternalId: parent.resourceId, parentResourceTypeSlug: parent.resourceTypeSlug } : {}),
      });
      writes++;
    } catch (error) {
      resource = isConflict(error) ? await lookup() : undefined;
      if (!resource) {
        throw error;
      }
    }
  }

  await store.setId(record.key, resource.id);

  if (resource.name !== name) {
    await workos.authorization.updateResource({ resourceId: resource.id, name });
    writes++;
  }

  if (await needsMove(workos, resource.parentResourceId, parentResourceId)) {
    // The SDK's updateResource sends only name and description, so the move
    // goes through its generic PATCH with the API's re-parenting fields. No
    // parent means the organization's root resource, which WorkOS addresses
    // by type `organization` and the organization id.
    await workos.patch(
      `/authorization/resources/${encodeURIComponent(resource.id)}`,
      parentResourceId === undefined
        ? { parent_resource_type_slug: 'organization', parent_resource_external_id: workosOrganizationId }
        : { parent_resource_id: parentResourceId },
    );
    writes++;

    // Descendants inherit from the new ancestors: their cached decisions are stale too.
    await context.invalidate({ kind: 'all' });
  } else {
    // Published even when this run wrote nothing, as for memberships.
    await context.invalidate({ kind: 'resource', organizationId: workosOrganizationId, resourceTypeSlug, resourceExternalId: resourceId });
  }

  return { writes };
}

/**
 * Returns whether a resource must move to the desired parent. A top-level
 * resource's parent is reported either as null or as the organization's
 * root resource, so a current parent is only looked up when the desired
 * state has none.
 */
export async function needsMove(workos: WorkOS, currentParentId: string | null | undefined, desiredParentId: string | undefined): Promise<boolean> {
  if (desiredParentId !== undefined) {
    return currentParentId !== desiredParentId;
  }

  if (currentParentId == null) {
    return false;
  }

  const currentParent = await findOrNull(() => workos.authorization.getResource(currentParentId));
  return currentParent !== undefined && currentParent.resourceTypeSlug !== 'organization';
}
