import type {
  Group,
  GroupRoleAssignment,
  Membership,
  Organization,
  Permission,
  Resource,
  ResourceType,
  Role,
  RoleAssignment,
  User,
} from './entities.js';
import { newId } from './ids.js';
import { DEFAULT_SETTINGS, type EmulatorSettings } from './settings.js';

/** Plain-data copy of the whole state, as written by `--data`. */
export interface StateSnapshot {
  version: 1;
  settings: EmulatorSettings;
  resource_types: ResourceType[];
  default_role_slug: string | null;
  organization_default_roles: Record<string, string>;
  permissions: Permission[];
  roles: Role[];
  organizations: Organization[];
  users: User[];
  memberships: Membership[];
  resources: Resource[];
  role_assignments: RoleAssignment[];
  groups?: Group[];
  group_memberships?: { group_id: string; organization_membership_id: string }[];
  group_role_assignments?: GroupRoleAssignment[];
}

function addToIndex(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (set === undefined) {
    set = new Set();
    index.set(key, set);
  }
  set.add(value);
}

function removeFromIndex(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  if (set === undefined) {
    return;
  }
  set.delete(value);
  if (set.size === 0) {
    index.delete(key);
  }
}

/** Returns the current time as WorkOS formats it, ISO-8601 with milliseconds. */
export function timestamp(): string {
  return new Date().toISOString();
}

/**
 * All objects of the emulated environment and the indexes that keep every
 * lookup a check needs independent of the environment's size: membership to
 * grants, resource to parent, external ids to objects.
 */
export class State {
  settings: EmulatorSettings = { ...DEFAULT_SETTINGS };
  readonly resourceTypes = new Map<string, ResourceType>();
  readonly permissions = new Map<string, Permission>();
  /** Environment roles by slug, in priority order. */
  readonly environmentRoles = new Map<string, Role>();
  /** Custom roles by organization id, then slug. */
  readonly organizationRoles = new Map<string, Map<string, Role>>();
  defaultRoleSlug: string | null = null;
  /** Default role per organization, where it differs from the environment's. */
  readonly organizationDefaultRoles = new Map<string, string>();
  readonly organizations = new Map<string, Organization>();
  readonly users = new Map<string, User>();
  readonly memberships = new Map<string, Membership>();
  readonly resources = new Map<string, Resource>();
  readonly assignments = new Map<string, RoleAssignment>();
  readonly groups = new Map<string, Group>();
  readonly groupAssignments = new Map<string, GroupRoleAssignment>();

  private sequence = 0;
  /** Creation order of every id ever created, deleted ones included, so a cursor outlives its object. */
  private readonly sequenceById = new Map<string, number>();
  private readonly organizationByExternalId = new Map<string, string>();
  private readonly userByEmail = new Map<string, string>();
  private readonly userByExternalId = new Map<string, string>();
  private readonly membershipsByUser = new Map<string, Set<string>>();
  private readonly membershipsByOrganization = new Map<string, Set<string>>();
  private readonly membershipByPair = new Map<string, string>();
  private readonly resourceByKey = new Map<string, string>();
  private readonly rootResourceByOrganization = new Map<string, string>();
  private readonly childrenByResource = new Map<string, Set<string>>();
  private readonly resourcesByOrganization = new Map<string, Set<string>>();
  private readonly assignmentsByMembership = new Map<string, Set<string>>();
  private readonly assignmentsByResource = new Map<string, Set<string>>();
  private readonly permissionSets = new WeakMap<Role, Set<string>>();
  private readonly groupsByOrganization = new Map<string, Set<string>>();
  private readonly membersByGroup = new Map<string, Set<string>>();
  private readonly groupsByMembership = new Map<string, Set<string>>();
  private readonly groupAssignmentsByGroup = new Map<string, Set<string>>();
  private readonly groupAssignmentsByResource = new Map<string, Set<string>>();
  /** Member role assignments created from each group role assignment. */
  private readonly assignmentsByGroupAssignment = new Map<string, Set<string>>();

  /** Records the creation order of an id. */
  register(id: string): void {
    if (!this.sequenceById.has(id)) {
      this.sequence += 1;
      this.sequenceById.set(id, this.sequence);
    }
  }

  /** Returns the creation order of an id, or `undefined` for an id never seen. */
  sequenceOf(id: string): number | undefined {
    return this.sequenceById.get(id);
  }

  // Roles and permissions

  /** Finds the role a slug names for an organization: its custom role first, then the environment role. */
  findRole(organizationId: string | null, slug: string): Role | undefined {
    if (organizationId !== null) {
      const custom = this.organizationRoles.get(organizationId)?.get(slug);
      if (custom !== undefined) {
        return custom;
      }
    }
    return this.environmentRoles.get(slug);
  }

  /** Returns the roles an organization can use, environment roles first, in priority order. */
  rolesFor(organizationId: string): Role[] {
    const custom = this.organizationRoles.get(organizationId);
    return [...this.environmentRoles.values(), ...(custom === undefined ? [] : custom.values())];
  }

  /** Returns the default organization role slug for an organization. */
  defaultRoleFor(organizationId: string): string | null {
    return this.organizationDefaultRoles.get(organizationId) ?? this.defaultRoleSlug;
  }

  addRole(role: Role): void {
    this.register(role.id);
    if (role.organization_id === null) {
      this.environmentRoles.set(role.slug, role);
      return;
    }

    let custom = this.organizationRoles.get(role.organization_id);
    if (custom === undefined) {
      custom = new Map();
      this.organizationRoles.set(role.organization_id, custom);
    }
    custom.set(role.slug, role);
  }

  removeRole(role: Role): void {
    if (role.organization_id === null) {
      this.environmentRoles.delete(role.slug);
    } else {
      this.organizationRoles.get(role.organization_id)?.delete(role.slug);
    }
  }

  /** Returns a role's permissions as a set, cached until {@link State.rolePermissionsChanged}. */
  permissionSetOf(role: Role): Set<string> {
    let set = this.permissionSets.get(role);
    if (set === undefined) {
      set = new Set(role.permissions);
      this.permissionSets.set(role, set);
    }
    return set;
  }

  /** Drops the cached permission set after a role's permission list changed. */
  rolePermissionsChanged(role: Role): void {
    this.permissionSets.delete(role);
  }

  addPermission(permission: Permission): void {
    this.register(permission.id);
    this.permissions.set(permission.slug, permission);
  }

  /** Deletes a permission and removes it from every role that lists it. */
  removePermission(slug: string): void {
    this.permissions.delete(slug);
    const everyRole = [...this.environmentRoles.values(), ...[...this.organizationRoles.values()].flatMap((roles) => [...roles.values()])];
    for (const role of everyRole) {
      if (role.permissions.includes(slug)) {
        role.permissions = role.permissions.filter((entry) => entry !== slug);
        this.rolePermissionsChanged(role);
      }
    }
  }

  // Organizations

  /** Adds an organization and creates its root resource. */
  addOrganization(organization: Organization, rootResource?: Resource): Resource {
    this.register(organization.id);
    this.organizations.set(organization.id, organization);
    if (organization.external_id !== null) {
      this.organizationByExternalId.set(organization.external_id, organization.id);
    }

    const root = rootResource ?? {
      id: newId('authz_resource'),
      external_id: organization.id,
      name: organization.name,
      description: null,
      resource_type_slug: 'organization',
      organization_id: organization.id,
      parent_id: null,
      created_at: organization.created_at,
      updated_at: organization.created_at,
    };
    this.addResource(root);
    return root;
  }

  findOrganizationByExternalId(externalId: string): Organization | undefined {
    const id = this.organizationByExternalId.get(externalId);
    return id === undefined ? undefined : this.organizations.get(id);
  }

  /** Changes an organization's external id, keeping the index current. */
  setOrganizationExternalId(organization: Organization, externalId: string | null): void {
    if (organization.external_id !== null) {
      this.organizationByExternalId.delete(organization.external_id);
    }
    organization.external_id = externalId;
    if (externalId !== null) {
      this.organizationByExternalId.set(externalId, organization.id);
    }
  }

  /** Deletes an organization with its memberships, resources, role assignments and custom roles. */
  removeOrganization(organizationId: string): void {
    const organization = this.organizations.get(organizationId);
    if (organization === undefined) {
      return;
    }

    for (const groupId of [...(this.groupsByOrganization.get(organizationId) ?? [])]) {
      this.removeGroup(groupId);
    }
    for (const membershipId of [...(this.membershipsByOrganization.get(organizationId) ?? [])]) {
      this.removeMembership(membershipId);
    }

    const rootId = this.rootResourceByOrganization.get(organizationId);
    if (rootId !== undefined) {
      this.removeResourceTree(rootId);
    }

    this.organizationRoles.delete(organizationId);
    this.organizationDefaultRoles.delete(organizationId);
    this.setOrganizationExternalId(organization, null);
    this.organizations.delete(organizationId);
  }

  // Users

  addUser(user: User): void {
    this.register(user.id);
    this.users.set(user.id, user);
    this.userByEmail.set(user.email.toLowerCase(), user.id);
    if (user.external_id !== null) {
      this.userByExternalId.set(user.external_id, user.id);
    }
  }

  findUserByEmail(email: string): User | undefined {
    const id = this.userByEmail.get(email.toLowerCase());
    return id === undefined ? undefined : this.users.get(id);
  }

  findUserByExternalId(externalId: string): User | undefined {
    const id = this.userByExternalId.get(externalId);
    return id === undefined ? undefined : this.users.get(id);
  }

  /** Changes a user's email and external id, keeping the indexes current. */
  setUserKeys(user: User, email: string, externalId: string | null): void {
    this.userByEmail.delete(user.email.toLowerCase());
    if (user.external_id !== null) {
      this.userByExternalId.delete(user.external_id);
    }
    user.email = email;
    user.external_id = externalId;
    this.userByEmail.set(email.toLowerCase(), user.id);
    if (externalId !== null) {
      this.userByExternalId.set(externalId, user.id);
    }
  }

  /** Deletes a user with all of their memberships. */
  removeUser(userId: string): void {
    const user = this.users.get(userId);
    if (user === undefined) {
      return;
    }

    for (const membershipId of [...(this.membershipsByUser.get(userId) ?? [])]) {
      this.removeMembership(membershipId);
    }
    this.userByEmail.delete(user.email.toLowerCase());
    if (user.external_id !== null) {
      this.userByExternalId.delete(user.external_id);
    }
    this.users.delete(userId);
  }

  // Memberships

  addMembership(membership: Membership): void {
    this.register(membership.id);
    this.memberships.set(membership.id, membership);
    addToIndex(this.membershipsByUser, membership.user_id, membership.id);
    addToIndex(this.membershipsByOrganization, membership.organization_id, membership.id);
    this.membershipByPair.set(`${membership.user_id}|${membership.organization_id}`, membership.id);
  }

  findMembership(userId: string, organizationId: string): Membership | undefined {
    const id = this.membershipByPair.get(`${userId}|${organizationId}`);
    return id === undefined ? undefined : this.memberships.get(id);
  }

  membershipIdsOfUser(userId: string): ReadonlySet<string> {
    return this.membershipsByUser.get(userId) ?? new Set();
  }

  membershipIdsOfOrganization(organizationId: string): ReadonlySet<string> {
    return this.membershipsByOrganization.get(organizationId) ?? new Set();
  }

  /** Deletes a membership with all of its role assignments. */
  removeMembership(membershipId: string): void {
    const membership = this.memberships.get(membershipId);
    if (membership === undefined) {
      return;
    }

    for (const groupId of [...(this.groupsByMembership.get(membershipId) ?? [])]) {
      this.removeGroupMember(groupId, membershipId);
    }
    for (const assignmentId of [...(this.assignmentsByMembership.get(membershipId) ?? [])]) {
      this.removeAssignment(assignmentId);
    }
    removeFromIndex(this.membershipsByUser, membership.user_id, membershipId);
    removeFromIndex(this.membershipsByOrganization, membership.organization_id, membershipId);
    this.membershipByPair.delete(`${membership.user_id}|${membership.organization_id}`);
    this.memberships.delete(membershipId);
  }

  // Resources

  addResource(resource: Resource): void {
    this.register(resource.id);
    this.resources.set(resource.id, resource);
    addToIndex(this.resourcesByOrganization, resource.organization_id, resource.id);
    if (resource.parent_id === null) {
      this.rootResourceByOrganization.set(resource.organization_id, resource.id);
    } else {
      this.resourceByKey.set(this.resourceKey(resource.organization_id, resource.resource_type_slug, resource.external_id), resource.id);
      addToIndex(this.childrenByResource, resource.parent_id, resource.id);
    }
  }

  private resourceKey(organizationId: string, typeSlug: string, externalId: string): string {
    return JSON.stringify([organizationId, typeSlug, externalId]);
  }

  /** Returns the root resource of an organization. */
  rootResourceOf(organizationId: string): Resource | undefined {
    const id = this.rootResourceByOrganization.get(organizationId);
    return id === undefined ? undefined : this.resources.get(id);
  }

  /**
   * Finds a resource by organization, type and external id. The root resource
   * is found by type `organization` with the organization's id or external id.
   */
  findResourceByExternalId(organizationId: string, typeSlug: string, externalId: string): Resource | undefined {
    if (typeSlug === 'organization') {
      const organization = this.organizations.get(organizationId);
      if (organization !== undefined && (externalId === organization.id || externalId === organization.external_id)) {
        return this.rootResourceOf(organizationId);
      }
      return undefined;
    }

    const id = this.resourceByKey.get(this.resourceKey(organizationId, typeSlug, externalId));
    return id === undefined ? undefined : this.resources.get(id);
  }

  childIdsOf(resourceId: string): ReadonlySet<string> {
    return this.childrenByResource.get(resourceId) ?? new Set();
  }

  resourceIdsOfOrganization(organizationId: string): ReadonlySet<string> {
    return this.resourcesByOrganization.get(organizationId) ?? new Set();
  }

  /** Moves a resource under another parent. */
  setResourceParent(resource: Resource, parentId: string): void {
    if (resource.parent_id !== null) {
      removeFromIndex(this.childrenByResource, resource.parent_id, resource.id);
    }
    resource.parent_id = parentId;
    addToIndex(this.childrenByResource, parentId, resource.id);
  }

  /** Returns the resource and its ancestors, nearest first, root last. */
  ancestry(resource: Resource): Resource[] {
    const chain: Resource[] = [resource];
    let current = resource;
    while (current.parent_id !== null) {
      const parent = this.resources.get(current.parent_id);
      if (parent === undefined) {
        break;
      }
      chain.push(parent);
      current = parent;
    }
    return chain;
  }

  /** Returns how many levels a resource sits below its organization's root (the root is 0). */
  depthOf(resource: Resource): number {
    return this.ancestry(resource).length - 1;
  }

  /** Returns the number of levels of the subtree under a resource, itself counted as 0. */
  subtreeHeight(resourceId: string): number {
    let height = 0;
    for (const childId of this.childIdsOf(resourceId)) {
      height = Math.max(height, 1 + this.subtreeHeight(childId));
    }
    return height;
  }

  /** Deletes a resource, every descendant and every role assignment on them. */
  removeResourceTree(resourceId: string): void {
    for (const childId of [...this.childIdsOf(resourceId)]) {
      this.removeResourceTree(childId);
    }

    for (const groupAssignmentId of [...(this.groupAssignmentsByResource.get(resourceId) ?? [])]) {
      this.removeGroupAssignment(groupAssignmentId);
    }
    for (const assignmentId of [...(this.assignmentsByResource.get(resourceId) ?? [])]) {
      this.removeAssignment(assignmentId);
    }

    const resource = this.resources.get(resourceId);
    if (resource === undefined) {
      return;
    }
    removeFromIndex(this.resourcesByOrganization, resource.organization_id, resourceId);
    if (resource.parent_id === null) {
      this.rootResourceByOrganization.delete(resource.organization_id);
    } else {
      removeFromIndex(this.childrenByResource, resource.parent_id, resourceId);
      this.resourceByKey.delete(this.resourceKey(resource.organization_id, resource.resource_type_slug, resource.external_id));
    }
    this.childrenByResource.delete(resourceId);
    this.resources.delete(resourceId);
  }

  // Role assignments

  addAssignment(assignment: RoleAssignment): void {
    this.register(assignment.id);
    this.assignments.set(assignment.id, assignment);
    addToIndex(this.assignmentsByMembership, assignment.organization_membership_id, assignment.id);
    addToIndex(this.assignmentsByResource, assignment.resource_id, assignment.id);
    if (assignment.group_role_assignment_id) {
      addToIndex(this.assignmentsByGroupAssignment, assignment.group_role_assignment_id, assignment.id);
    }
  }

  assignmentIdsOfMembership(membershipId: string): ReadonlySet<string> {
    return this.assignmentsByMembership.get(membershipId) ?? new Set();
  }

  assignmentIdsOfResource(resourceId: string): ReadonlySet<string> {
    return this.assignmentsByResource.get(resourceId) ?? new Set();
  }

  removeAssignment(assignmentId: string): void {
    const assignment = this.assignments.get(assignmentId);
    if (assignment === undefined) {
      return;
    }
    removeFromIndex(this.assignmentsByMembership, assignment.organization_membership_id, assignmentId);
    removeFromIndex(this.assignmentsByResource, assignment.resource_id, assignmentId);
    if (assignment.group_role_assignment_id) {
      removeFromIndex(this.assignmentsByGroupAssignment, assignment.group_role_assignment_id, assignmentId);
    }
    this.assignments.delete(assignmentId);
  }

  /** Returns whether a resource has child resources, role assignments or group role assignments. */
  hasDependents(resourceId: string): boolean {
    return this.childIdsOf(resourceId).size > 0 || this.assignmentIdsOfResource(resourceId).size > 0 || this.groupAssignmentsByResource.has(resourceId);
  }

  // Groups

  addGroup(group: Group): void {
    this.register(group.id);
    this.groups.set(group.id, group);
    addToIndex(this.groupsByOrganization, group.organization_id, group.id);
  }

  groupIdsOfOrganization(organizationId: string): ReadonlySet<string> {
    return this.groupsByOrganization.get(organizationId) ?? new Set();
  }

  memberIdsOfGroup(groupId: string): ReadonlySet<string> {
    return this.membersByGroup.get(groupId) ?? new Set();
  }

  groupIdsOfMembership(membershipId: string): ReadonlySet<string> {
    return this.groupsByMembership.get(membershipId) ?? new Set();
  }

  groupAssignmentIdsOfGroup(groupId: string): ReadonlySet<string> {
    return this.groupAssignmentsByGroup.get(groupId) ?? new Set();
  }

  /** Deletes a group with its group role assignments and the member assignments they created. */
  removeGroup(groupId: string): void {
    const group = this.groups.get(groupId);
    if (group === undefined) {
      return;
    }
    for (const groupAssignmentId of [...this.groupAssignmentIdsOfGroup(groupId)]) {
      this.removeGroupAssignment(groupAssignmentId);
    }
    for (const membershipId of [...this.memberIdsOfGroup(groupId)]) {
      this.removeGroupMember(groupId, membershipId);
    }
    removeFromIndex(this.groupsByOrganization, group.organization_id, groupId);
    this.groups.delete(groupId);
  }

  /** Records that a membership belongs to a group, without creating assignments. */
  linkGroupMember(groupId: string, membershipId: string): void {
    addToIndex(this.membersByGroup, groupId, membershipId);
    addToIndex(this.groupsByMembership, membershipId, groupId);
  }

  /** Adds a membership to a group and gives it the group's role assignments. */
  addGroupMember(groupId: string, membershipId: string, now: string): void {
    if (this.memberIdsOfGroup(groupId).has(membershipId)) {
      return;
    }
    this.linkGroupMember(groupId, membershipId);
    for (const groupAssignmentId of this.groupAssignmentIdsOfGroup(groupId)) {
      const groupAssignment = this.groupAssignments.get(groupAssignmentId);
      if (groupAssignment !== undefined) {
        this.addMemberAssignment(groupAssignment, membershipId, now);
      }
    }
  }

  /** Removes a membership from a group with the role assignments the group gave it. */
  removeGroupMember(groupId: string, membershipId: string): void {
    for (const groupAssignmentId of this.groupAssignmentIdsOfGroup(groupId)) {
      for (const assignmentId of [...(this.assignmentsByGroupAssignment.get(groupAssignmentId) ?? [])]) {
        if (this.assignments.get(assignmentId)?.organization_membership_id === membershipId) {
          this.removeAssignment(assignmentId);
        }
      }
    }
    removeFromIndex(this.membersByGroup, groupId, membershipId);
    removeFromIndex(this.groupsByMembership, membershipId, groupId);
  }

  /** Indexes a group role assignment, without creating member assignments. */
  indexGroupAssignment(groupAssignment: GroupRoleAssignment): void {
    this.register(groupAssignment.id);
    this.groupAssignments.set(groupAssignment.id, groupAssignment);
    addToIndex(this.groupAssignmentsByGroup, groupAssignment.group_id, groupAssignment.id);
    addToIndex(this.groupAssignmentsByResource, groupAssignment.resource_id, groupAssignment.id);
  }

  /** Adds a group role assignment and gives it to every member of the group. */
  addGroupAssignment(groupAssignment: GroupRoleAssignment): void {
    this.indexGroupAssignment(groupAssignment);
    for (const membershipId of this.memberIdsOfGroup(groupAssignment.group_id)) {
      this.addMemberAssignment(groupAssignment, membershipId, groupAssignment.created_at);
    }
  }

  private addMemberAssignment(groupAssignment: GroupRoleAssignment, membershipId: string, now: string): void {
    this.addAssignment({
      id: newId('role_assignment'),
      organization_membership_id: membershipId,
      role_slug: groupAssignment.role_slug,
      resource_id: groupAssignment.resource_id,
      group_role_assignment_id: groupAssignment.id,
      created_at: now,
      updated_at: now,
    });
  }

  /** Deletes a group role assignment and the member assignments it created. */
  removeGroupAssignment(groupAssignmentId: string): void {
    const groupAssignment = this.groupAssignments.get(groupAssignmentId);
    if (groupAssignment === undefined) {
      return;
    }
    for (const assignmentId of [...(this.assignmentsByGroupAssignment.get(groupAssignmentId) ?? [])]) {
      this.removeAssignment(assignmentId);
    }
    removeFromIndex(this.groupAssignmentsByGroup, groupAssignment.group_id, groupAssignmentId);
    removeFromIndex(this.groupAssignmentsByResource, groupAssignment.resource_id, groupAssignmentId);
    this.groupAssignments.delete(groupAssignmentId);
  }

  // Snapshots

  /** Copies the state into plain data, every list in creation order. */
  snapshot(): StateSnapshot {
    const byCreation = <T extends { id: string }>(items: Iterable<T>): T[] =>
      [...items].sort((a, b) => (this.sequenceOf(a.id) ?? 0) - (this.sequenceOf(b.id) ?? 0));
    const customRoles = [...this.organizationRoles.values()].flatMap((roles) => [...roles.values()]);

    return structuredClone({
      version: 1,
      settings: this.settings,
      resource_types: [...this.resourceTypes.values()],
      default_role_slug: this.defaultRoleSlug,
      organization_default_roles: Object.fromEntries(this.organizationDefaultRoles),
      permissions: byCreation(this.permissions.values()),
      // Environment roles keep their priority order, which is not creation order.
      roles: [...this.environmentRoles.values(), ...byCreation(customRoles)],
      organizations: byCreation(this.organizations.values()),
      users: byCreation(this.users.values()),
      memberships: byCreation(this.memberships.values()),
      resources: byCreation(this.resources.values()),
      role_assignments: byCreation(this.assignments.values()),
      groups: byCreation(this.groups.values()),
      group_memberships: [...this.membersByGroup].flatMap(([groupId, members]) =>
        [...members].map((membershipId) => ({ group_id: groupId, organization_membership_id: membershipId })),
      ),
      group_role_assignments: byCreation(this.groupAssignments.values()),
    });
  }

  /** Builds a state from a snapshot, rebuilding every index. */
  static fromSnapshot(input: StateSnapshot): State {
    const snapshot = structuredClone(input);
    const state = new State();
    state.settings = { ...DEFAULT_SETTINGS, ...snapshot.settings };
    for (const type of snapshot.resource_types) {
      state.resourceTypes.set(type.slug, type);
    }
    state.defaultRoleSlug = snapshot.default_role_slug;
    for (const [organizationId, slug] of Object.entries(snapshot.organization_default_roles)) {
      state.organizationDefaultRoles.set(organizationId, slug);
    }
    for (const permission of snapshot.permissions) {
      state.addPermission(permission);
    }
    for (const role of snapshot.roles) {
      state.addRole(role);
    }

    const roots = new Map(snapshot.resources.filter((resource) => resource.parent_id === null).map((resource) => [resource.organization_id, resource]));
    for (const organization of snapshot.organizations) {
      state.addOrganization(organization, roots.get(organization.id));
    }
    for (const user of snapshot.users) {
      state.addUser(user);
    }
    for (const membership of snapshot.memberships) {
      state.addMembership(membership);
    }

    // Adding a resource only indexes it, so a re-parented child may come before its parent.
    for (const resource of snapshot.resources) {
      if (resource.parent_id !== null) {
        state.addResource(resource);
      }
    }
    for (const group of snapshot.groups ?? []) {
      state.addGroup(group);
    }
    for (const link of snapshot.group_memberships ?? []) {
      state.linkGroupMember(link.group_id, link.organization_membership_id);
    }
    for (const groupAssignment of snapshot.group_role_assignments ?? []) {
      state.indexGroupAssignment(groupAssignment);
    }

    // Member assignments created from group role assignments are stored with the others.
    for (const assignment of snapshot.role_assignments) {
      state.addAssignment(assignment);
    }
    return state;
  }
}
