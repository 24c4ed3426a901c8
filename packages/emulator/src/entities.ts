/** Status of an organization membership. */
export type MembershipStatus = 'active' | 'inactive' | 'pending';

/** Fields every stored object has. */
export interface StoredObject {
  id: string;
  created_at: string;
  updated_at: string;
}

/** A domain of an organization. */
export interface OrganizationDomain {
  id: string;
  domain: string;
  state: 'pending' | 'verified';
  created_at: string;
  updated_at: string;
}

/** A stored organization. */
export interface Organization extends StoredObject {
  name: string;
  external_id: string | null;
  metadata: Record<string, string>;
  domains: OrganizationDomain[];
  stripe_customer_id: string | null;
}

/** A stored user. */
export interface User extends StoredObject {
  email: string;
  email_verified: boolean;
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  profile_picture_url: string | null;
  locale: string | null;
  external_id: string | null;
  metadata: Record<string, string>;
}

/** A stored organization membership: the subject of every FGA check. */
export interface Membership extends StoredObject {
  user_id: string;
  organization_id: string;
  status: MembershipStatus;
  /** Organization-level role slugs, primary role first. */
  role_slugs: string[];
}

/** A resource type of the model. Types come from the seed: WorkOS has no API for them. */
export interface ResourceType {
  slug: string;
  name: string;
  /** Slugs of the types a resource of this type may have as parent. */
  parents: string[];
}

/** A stored permission. */
export interface Permission extends StoredObject {
  slug: string;
  name: string;
  description: string | null;
  resource_type_slug: string;
  system: boolean;
}

/** A stored role: an environment role, or a custom role of one organization. */
export interface Role extends StoredObject {
  slug: string;
  name: string;
  description: string | null;
  type: 'EnvironmentRole' | 'OrganizationRole';
  /** Organization of a custom role, `null` for an environment role. */
  organization_id: string | null;
  resource_type_slug: string;
  /** Permission slugs, in the order they were added. */
  permissions: string[];
}

/** A stored authorization resource. The root resource of an organization has type `organization`. */
export interface Resource extends StoredObject {
  external_id: string;
  name: string;
  description: string | null;
  resource_type_slug: string;
  organization_id: string;
  /** Real parent; `null` only for an organization's root resource. */
  parent_id: string | null;
}

/** A stored role assignment: a role granted to a membership on one resource. */
export interface RoleAssignment extends StoredObject {
  organization_membership_id: string;
  role_slug: string;
  resource_id: string;
  /** Group role assignment this one comes from; absent or `null` for a direct assignment. */
  group_role_assignment_id?: string | null;
}

/** A stored group of organization memberships. */
export interface Group extends StoredObject {
  organization_id: string;
  name: string;
  description: string | null;
}

/** A stored group role assignment, which gives every member of the group the role on the resource. */
export interface GroupRoleAssignment extends StoredObject {
  group_id: string;
  role_slug: string;
  resource_id: string;
}
