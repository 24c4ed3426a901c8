import { SyncInputError } from './errors.js';
import { PRIORITY } from './jobs.js';
import { entityKey, grantMember } from './keys.js';
import type { RecordOperation } from './store.js';
import type {
  DeleteResourceInput,
  DeleteUserInput,
  RemoveMembershipInput,
  ResourceGrant,
  ResourceRoleInput,
  SetOrganizationRolesInput,
  SignUpUserInput,
  UpsertOrganizationInput,
  UpsertResourceInput,
} from './types.js';
import { optionalString, requireEmail, requireId, requireResourceRef, requireRoles, requireText } from './validate.js';

/** A validated lifecycle change, ready to record. */
export interface Change {
  operation: string;
  operations: RecordOperation[];
  priority: number;
}

/** Input types of the lifecycle operations, by name. */
export interface SyncOperationInputs {
  upsertOrganization: UpsertOrganizationInput;
  signUpUser: SignUpUserInput;
  setOrganizationRoles: SetOrganizationRolesInput;
  upsertResource: UpsertResourceInput;
  deleteResource: DeleteResourceInput;
  grantResourceRole: ResourceRoleInput;
  revokeResourceRole: ResourceRoleInput;
  removeMembership: RemoveMembershipInput;
  deleteUser: DeleteUserInput;
}

/** Name of a lifecycle operation. */
export type SyncOperation = keyof SyncOperationInputs;

/** Names of the lifecycle operations, for input checks. */
export const SYNC_OPERATIONS: readonly SyncOperation[] = [
  'upsertOrganization',
  'signUpUser',
  'setOrganizationRoles',
  'upsertResource',
  'deleteResource',
  'grantResourceRole',
  'revokeResourceRole',
  'removeMembership',
  'deleteUser',
];

/** Validates the input of each operation and turns it into store writes. */
const planners: { [K in SyncOperation]: (input: SyncOperationInputs[K]) => Change } = {
  upsertOrganization(input: UpsertOrganizationInput): Change {
      const op = 'upsertOrganization';
      const id = requireId(op, 'id', input.id);
      const name = requireText(op, 'name', input.name);
      const e = entityKey({ kind: 'organization', organizationId: id });
      return ({ operation: op, priority: PRIORITY.change, operations: [{ e, exists: '1', data: JSON.stringify({ name }) }] });
    },

  signUpUser(input: SignUpUserInput): Change {
      const op = 'signUpUser';
      const userId = requireId(op, 'userId', input.userId);
      const email = requireEmail(op, input.email);
      const firstName = optionalString(op, 'firstName', input.firstName);
      const lastName = optionalString(op, 'lastName', input.lastName);
      const organizationId = requireId(op, 'organizationId', input.organizationId);
      if (input.roles !== undefined && input.role !== undefined) {
        throw new SyncInputError(`[fgakit] ${op}: pass either roles or role, not both.`);
      }

      const roles =
        input.roles !== undefined ? requireRoles(op, 'roles', input.roles) : input.role !== undefined ? requireRoles(op, 'role', [input.role]) : undefined;
      const user = entityKey({ kind: 'user', userId });
      const membership = entityKey({ kind: 'membership', userId, organizationId });

      return ({
        operation: op,
        priority: PRIORITY.change,
        operations: [
          { e: user, exists: '1', data: JSON.stringify({ email, firstName, lastName }) },
          { e: membership, exists: '1', data: JSON.stringify({ roles }), indexUser: encodeURIComponent(userId) },
        ],
      });
    },

  setOrganizationRoles(input: SetOrganizationRolesInput): Change {
      const op = 'setOrganizationRoles';
      const userId = requireId(op, 'userId', input.userId);
      const organizationId = requireId(op, 'organizationId', input.organizationId);
      const roles = requireRoles(op, 'roles', input.roles);
      const membership = entityKey({ kind: 'membership', userId, organizationId });
      return ({
        operation: op,
        priority: PRIORITY.change,
        operations: [{ e: membership, requireExists: true, exists: '1', data: JSON.stringify({ roles }) }],
      });
    },

  upsertResource(input: UpsertResourceInput): Change {
      const op = 'upsertResource';
      const organizationId = requireId(op, 'organizationId', input.organizationId);
      const resourceTypeSlug = requireResourceType(op, 'resourceTypeSlug', input.resourceTypeSlug);
      const resourceId = requireId(op, 'resourceId', input.resourceId);
      const name = requireText(op, 'name', input.name);
      const parent = input.parent === undefined ? undefined : requireResourceRef(op, 'parent', input.parent);
      if (parent?.resourceTypeSlug === 'organization') {
        throw new SyncInputError(`[fgakit] ${op}: omit parent for a resource directly under its organization instead of naming the organization resource.`);
      }

      const e = entityKey({ kind: 'resource', organizationId, resourceTypeSlug, resourceId });
      const parentKey = parent === undefined ? '' : entityKey({ kind: 'resource', organizationId, ...parent });
      return ({ operation: op, priority: PRIORITY.change, operations: [{ e, exists: '1', data: JSON.stringify({ name, parent }), parentKey }] });
    },

  deleteResource(input: DeleteResourceInput): Change {
      const op = 'deleteResource';
      const organizationId = requireId(op, 'organizationId', input.organizationId);
      const resourceTypeSlug = requireResourceType(op, 'resourceTypeSlug', input.resourceTypeSlug);
      const resourceId = requireId(op, 'resourceId', input.resourceId);
      const e = entityKey({ kind: 'resource', organizationId, resourceTypeSlug, resourceId });
      // WorkOS deletes the descendants with the resource, so their desired state goes too.
      return ({ operation: op, priority: PRIORITY.removal, operations: [{ e, exists: '0', cascade: true }] });
    },

  grantResourceRole(input: ResourceRoleInput): Change {
      const op = 'grantResourceRole';
      const { membership, grant } = readResourceRole(op, input);
      return ({ operation: op, priority: PRIORITY.change, operations: [{ e: membership, requireExists: true, grantAdd: grant }] });
    },

  revokeResourceRole(input: ResourceRoleInput): Change {
      const op = 'revokeResourceRole';
      const { membership, grant } = readResourceRole(op, input);
      return ({ operation: op, priority: PRIORITY.removal, operations: [{ e: membership, grantRemove: grant }] });
    },

  removeMembership(input: RemoveMembershipInput): Change {
      const op = 'removeMembership';
      const userId = requireId(op, 'userId', input.userId);
      const organizationId = requireId(op, 'organizationId', input.organizationId);
      const membership = entityKey({ kind: 'membership', userId, organizationId });
      return ({ operation: op, priority: PRIORITY.removal, operations: [{ e: membership, exists: '0', grantClear: true }] });
    },

  deleteUser(input: DeleteUserInput): Change {
      const op = 'deleteUser';
      const userId = requireId(op, 'userId', input.userId);
      const user = entityKey({ kind: 'user', userId });
      return ({
        operation: op,
        priority: PRIORITY.removal,
        operations: [{ e: user, exists: '0', removeMembershipsOf: encodeURIComponent(userId) }],
      });
    },
};

/**
 * Validates a lifecycle operation and plans its store writes.
 *
 * @throws SyncInputError when the operation is unknown or its input invalid.
 */
export function planChange<K extends SyncOperation>(operation: K, input: SyncOperationInputs[K]): Change {
  if (!SYNC_OPERATIONS.includes(operation)) {
    throw new SyncInputError(`[fgakit] Unknown sync operation ${JSON.stringify(operation)}; expected one of ${SYNC_OPERATIONS.join(', ')}.`);
  }

  if (typeof input !== 'object' || input === null) {
    throw new SyncInputError(`[fgakit] ${operation}: input must be an object, received ${JSON.stringify(input)}.`);
  }

  return planners[operation](input);
}

/** Plans a user's desired profile without touching memberships, for import and reconcile. */
export function planUser(input: { userId: string; email: string; firstName?: string; lastName?: string }): Change {
  const op = 'user';
  const userId = requireId(op, 'userId', input.userId);
  const email = requireEmail(op, input.email);
  const firstName = optionalString(op, 'firstName', input.firstName);
  const lastName = optionalString(op, 'lastName', input.lastName);
  const user = entityKey({ kind: 'user', userId });
  return { operation: op, priority: PRIORITY.bulk, operations: [{ e: user, exists: '1', data: JSON.stringify({ email, firstName, lastName }) }] };
}

/** Plans a membership with its organization roles, keeping its resource grants, for import. */
export function planMembership(input: { userId: string; organizationId: string; roles?: readonly string[] }): Change {
  const op = 'membership';
  const userId = requireId(op, 'userId', input.userId);
  const organizationId = requireId(op, 'organizationId', input.organizationId);
  const roles = input.roles === undefined ? undefined : requireRoles(op, 'roles', input.roles);
  const membership = entityKey({ kind: 'membership', userId, organizationId });
  return {
    operation: op,
    priority: PRIORITY.bulk,
    operations: [{ e: membership, exists: '1', data: JSON.stringify({ roles }), indexUser: encodeURIComponent(userId) }],
  };
}

/** Desired state of a membership as a whole, as reconcile and import set it. */
export interface MembershipState {
  userId: string;
  organizationId: string;
  /** Organization roles; omit for the default role. */
  roles?: readonly string[];
  grants: readonly ResourceGrant[];
}

/** Plans replacing a membership's whole desired state (roles and grants). */
export function planMembershipState(state: MembershipState): Change {
  const op = 'reconcile';
  const userId = requireId(op, 'userId', state.userId);
  const organizationId = requireId(op, 'organizationId', state.organizationId);
  const roles = state.roles === undefined ? undefined : requireRoles(op, 'roles', state.roles);
  const membership = entityKey({ kind: 'membership', userId, organizationId });
  const grants = state.grants.map((grant) =>
    grantMember({
      ...requireResourceRef(op, 'grant', grant),
      role: requireId(op, 'grant.role', grant.role),
    }),
  );

  return {
    operation: op,
    priority: PRIORITY.bulk,
    operations: [
      { e: membership, exists: '1', data: JSON.stringify({ roles }), indexUser: encodeURIComponent(userId), grantClear: true },
      ...grants.map((grant) => ({ e: membership, grantAdd: grant })),
    ],
  };
}

function requireResourceType(operation: string, field: string, value: unknown): string {
  const slug = requireId(operation, field, value);
  if (slug === 'organization') {
    throw new SyncInputError(
      `[fgakit] ${operation}: ${field} "organization" names the organization's root resource, which WorkOS manages; use upsertOrganization or setOrganizationRoles instead.`,
    );
  }

  return slug;
}

function readResourceRole(operation: string, input: ResourceRoleInput): { membership: string; grant: string } {
  const userId = requireId(operation, 'userId', input.userId);
  const organizationId = requireId(operation, 'organizationId', input.organizationId);
  const resource = requireResourceRef(operation, 'resource', input.resource);
  requireResourceType(operation, 'resource.resourceTypeSlug', resource.resourceTypeSlug);
  const role = requireId(operation, 'role', input.role);

  return {
    membership: entityKey({ kind: 'membership', userId, organizationId }),
    grant: grantMember({ ...resource, role }),
  };
}

export function describeMissing(entity: string): string {
  if (entity.startsWith('m:')) {
    const [, user, organization] = entity.split(':');
    return `user ${JSON.stringify(decodeURIComponent(user ?? ''))} is not a member of organization ${JSON.stringify(decodeURIComponent(organization ?? ''))}; call signUpUser first.`;
  }

  return `${entity} does not exist; record it first.`;
}

