/**
 * An entity whose desired state sync records and brings WorkOS to. Every id is
 * the app's own, which WorkOS stores as the object's `external_id`.
 */
export type SyncEntity =
  | { kind: 'organization'; organizationId: string }
  | { kind: 'user'; userId: string }
  | { kind: 'membership'; userId: string; organizationId: string }
  | { kind: 'resource'; organizationId: string; resourceTypeSlug: string; resourceId: string };

/** A resource named by the app: its type slug and the app's own id. */
export interface SyncResourceRef {
  resourceTypeSlug: string;
  resourceId: string;
}

/**
 * Receipt of a recorded change: the entities it touched and the version each
 * one reached. Pass it to `waitUntilApplied`. It is plain JSON, so it can be
 * stored or sent to another process.
 */
export interface SyncTicket {
  readonly changes: readonly { readonly entity: string; readonly version: number }[];
}

/** Input of `upsertOrganization`. */
export interface UpsertOrganizationInput {
  /** The app's organization id (WorkOS `external_id`). */
  id: string;
  name: string;
}

/** Input of `signUpUser`. */
export interface SignUpUserInput {
  /** The app's user id (WorkOS `external_id`). */
  userId: string;
  email: string;
  firstName?: string;
  lastName?: string;
  /** The app's organization id the user joins. */
  organizationId: string;
  /**
   * Organization roles of the membership. Omit both `roles` and `role` for
   * the environment's default role.
   */
  roles?: readonly string[];
  /** A single organization role, shorthand for `roles: [role]`. */
  role?: string;
}

/** Input of `setOrganizationRoles`. */
export interface SetOrganizationRolesInput {
  userId: string;
  organizationId: string;
  /** The complete set of organization roles; at least one. */
  roles: readonly string[];
}

/** Input of `upsertResource`. */
export interface UpsertResourceInput {
  organizationId: string;
  resourceTypeSlug: string;
  resourceId: string;
  name: string;
  /** Parent resource; omit it for a resource directly under the organization. */
  parent?: SyncResourceRef;
}

/** Input of `deleteResource`. */
export interface DeleteResourceInput {
  organizationId: string;
  resourceTypeSlug: string;
  resourceId: string;
}

/** Input of `grantResourceRole` and `revokeResourceRole`. */
export interface ResourceRoleInput {
  userId: string;
  organizationId: string;
  resource: SyncResourceRef;
  role: string;
}

/** Input of `removeMembership`. */
export interface RemoveMembershipInput {
  userId: string;
  organizationId: string;
}

/** Input of `deleteUser`. */
export interface DeleteUserInput {
  userId: string;
}

/** Desired state of an entity as stored in Redis. */
export interface DesiredRecord {
  entity: SyncEntity;
  key: string;
  exists: boolean;
  /** Kind-specific fields; see the `*Data` types. */
  data: Record<string, unknown>;
  /** Resource grants of a membership, empty for other kinds. */
  grants: ResourceGrant[];
  version: number;
  synced: number;
  failedVersion: number;
  failedReason: string | undefined;
}

/** A resource role held by a membership. */
export interface ResourceGrant {
  resourceTypeSlug: string;
  resourceId: string;
  role: string;
}
