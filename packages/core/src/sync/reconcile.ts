import type { WorkOS } from '@workos-inc/node';
import { findOrNull, needsMove } from './apply.js';
import { planChange, planMembershipState, planUser, type Change } from './changes.js';
import { PRIORITY } from './jobs.js';
import { entityKey } from './keys.js';
import type { Sync } from './sync.js';
import type { ResourceGrant, SyncResourceRef } from './types.js';

/** An entity as stored in the app's own database, the source of truth for reconcile. */
export type SourceEntity =
  | { kind: 'organization'; id: string; name: string }
  | { kind: 'user'; userId: string; email: string; firstName?: string; lastName?: string }
  | { kind: 'membership'; userId: string; organizationId: string; roles?: readonly string[]; grants?: readonly ResourceGrant[] }
  | { kind: 'resource'; organizationId: string; resourceTypeSlug: string; resourceId: string; name: string; parent?: SyncResourceRef };

/** Differences found for one entity. */
export interface Drift {
  entity: string;
  differences: string[];
}

/** Progress of a reconcile run. */
export interface ReconcileProgress {
  checked: number;
  drifted: number;
}

/** Options of {@link reconcile}. */
export interface ReconcileOptions {
  sync: Sync;
  workos: WorkOS;
  /** The app's entities, streamed from its database. List organizations and resources before what depends on them. */
  source: AsyncIterable<SourceEntity> | Iterable<SourceEntity>;
  /** Report drift without recording repairs. @defaultValue `false` */
  dryRun?: boolean;
  onProgress?: (progress: ReconcileProgress) => void;
}

/** Result of {@link reconcile}. */
export interface ReconcileReport {
  checked: number;
  drifted: Drift[];
  /** Entities whose desired state was recorded again so that the worker repairs them. */
  repaired: number;
}

function differ(label: string, actual: unknown, expected: unknown): string[] {
  return expected !== undefined && actual !== expected ? [`${label} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`] : [];
}

async function compareMembership(workos: WorkOS, entity: Extract<SourceEntity, { kind: 'membership' }>): Promise<string[]> {
  const user = await findOrNull(() => workos.userManagement.getUserByExternalId(entity.userId));
  const organization = await findOrNull(() => workos.organizations.getOrganizationByExternalId(entity.organizationId));
  if (!user || !organization) {
    return ['missing in WorkOS (user or organization missing)'];
  }

  const memberships = await (
    await workos.userManagement.listOrganizationMemberships({ userId: user.id, organizationId: organization.id, statuses: ['active', 'inactive', 'pending'] })
  ).autoPagination();
  const membership = memberships[0];
  if (!membership) {
    return ['missing in WorkOS'];
  }

  const differences: string[] = [];
  if (membership.status !== 'active') {
    differences.push(`status is ${membership.status}, expected active`);
  }

  const roles = (membership.roles ?? [membership.role]).map((role) => role.slug).sort();
  if (entity.roles !== undefined) {
    const expected = [...new Set(entity.roles)].sort();
    differences.push(...differ('roles', roles.join(','), expected.join(',')));
  }

  const assignments = await (await workos.authorization.listRoleAssignments({ organizationMembershipId: membership.id })).autoPagination();
  const actual = new Set(
    assignments
      .filter((a) => a.source.type === 'direct' && a.resource.resourceTypeSlug !== 'organization')
      .map((a) => `${a.resource.resourceTypeSlug}/${a.resource.externalId}:${a.role.slug}`),
  );
  const expected = new Set((entity.grants ?? []).map((g) => `${g.resourceTypeSlug}/${g.resourceId}:${g.role}`));
  for (const grant of actual) {
    if (!expected.has(grant)) {
      differences.push(`unexpected grant ${grant}`);
    }
  }

  for (const grant of expected) {
    if (!actual.has(grant)) {
      differences.push(`missing grant ${grant}`);
    }
  }

  return differences;
}

/** Compares one source entity with WorkOS; returns its key, the differences and the repair. */
async function compare(workos: WorkOS, entity: SourceEntity): Promise<{ key: string; differences: string[]; repair: Change }> {
  switch (entity.kind) {
    case 'organization': {
      const found = await findOrNull(() => workos.organizations.getOrganizationByExternalId(entity.id));
      return {
        key: entityKey({ kind: 'organization', organizationId: entity.id }),
        differences: found ? differ('name', found.name, entity.name) : ['missing in WorkOS'],
        repair: planChange('upsertOrganization', { id: entity.id, name: entity.name }),
      };
    }

    case 'user': {
      const found = await findOrNull(() => workos.userManagement.getUserByExternalId(entity.userId));
      return {
        key: entityKey({ kind: 'user', userId: entity.userId }),
        differences: found
          ? [...differ('email', found.email, entity.email), ...differ('firstName', found.firstName, entity.firstName), ...differ('lastName', found.lastName, entity.lastName)]
          : ['missing in WorkOS'],
        repair: planUser(entity),
      };
    }

    case 'membership':
      return {
        key: entityKey({ kind: 'membership', userId: entity.userId, organizationId: entity.organizationId }),
        differences: await compareMembership(workos, entity),
        repair: planMembershipState({ ...entity, grants: entity.grants ?? [] }),
      };

    case 'resource': {
      const organization = await findOrNull(() => workos.organizations.getOrganizationByExternalId(entity.organizationId));
      const found = organization
        ? await findOrNull(() =>
            workos.authorization.getResourceByExternalId({ organizationId: organization.id, resourceTypeSlug: entity.resourceTypeSlug, externalId: entity.resourceId }),
          )
        : undefined;
      const { kind: _kind, ...input } = entity;
      const differences = found ? differ('name', found.name, entity.name) : ['missing in WorkOS'];
      if (found && organization && (await parentDiffers(workos, organization.id, found.parentResourceId, entity.parent))) {
        differences.push(`parent: WorkOS has ${JSON.stringify(found.parentResourceId)}, the app has ${JSON.stringify(entity.parent ?? 'the organization')}`);
      }

      return { key: entityKey(entity), differences, repair: planChange('upsertResource', input) };
    }
  }
}

async function parentDiffers(
  workos: WorkOS,
  workosOrganizationId: string,
  currentParentId: string | null,
  desiredParent: SyncResourceRef | undefined,
): Promise<boolean> {
  if (desiredParent === undefined) {
    return await needsMove(workos, currentParentId, undefined);
  }

  const parent = await findOrNull(() =>
    workos.authorization.getResourceByExternalId({
      organizationId: workosOrganizationId,
      resourceTypeSlug: desiredParent.resourceTypeSlug,
      externalId: desiredParent.resourceId,
    }),
  );
  return parent === undefined || parent.id !== currentParentId;
}

/**
 * Compares the app's entities with WorkOS, reports drift, and records the
 * app's state as desired state for every drifted entity unless `dryRun`, so
 * the worker repairs it with bulk priority.
 *
 * @remarks
 * Reconcile reads WorkOS for the entities the app streams. It does not find
 * WorkOS objects the app no longer has (for example a user deleted from the
 * app but not from WorkOS), except resource grants on a streamed membership.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const report: ReconcileReport = { checked: 0, drifted: [], repaired: 0 };

  for await (const entity of options.source) {
    const { key, differences, repair } = await compare(options.workos, entity);
    report.checked++;

    if (differences.length > 0) {
      report.drifted.push({ entity: key, differences });

      if (options.dryRun !== true) {
        await options.sync.recordChange({ ...repair, priority: PRIORITY.bulk });
        report.repaired++;
      }
    }

    options.onProgress?.({ checked: report.checked, drifted: report.drifted.length });
  }

  return report;
}
