import {
  BadRequestException,
  ConflictException,
  GenericServerException,
  NotFoundException,
  UnprocessableEntityException,
  type WorkOS,
} from '@workos-inc/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type Seed } from '../src/index.js';
import { MISSING_FROM_DOCUMENT } from './openapi.js';
import { clientFor, rawRequest, specValidator } from './helpers.js';

const SEED: Seed = {
  resource_types: [
    { slug: 'workspace', parents: ['organization', 'workspace'] },
    { slug: 'project', parents: ['workspace'] },
  ],
  permissions: [
    { slug: 'org:manage' },
    { slug: 'workspace:view', resource_type_slug: 'workspace' },
    { slug: 'workspace:edit', resource_type_slug: 'workspace' },
    { slug: 'project:view', resource_type_slug: 'project' },
    { slug: 'project:edit', resource_type_slug: 'project' },
  ],
  roles: [
    { slug: 'member', is_default_role: true },
    { slug: 'admin', permissions: ['org:manage', 'workspace:view', 'workspace:edit', 'project:view', 'project:edit'] },
    { slug: 'workspace-viewer', resource_type_slug: 'workspace', permissions: ['workspace:view', 'project:view'] },
    { slug: 'project-editor', resource_type_slug: 'project', permissions: ['project:view', 'project:edit'] },
  ],
};

describe('authorization module', () => {
  let emulator: Emulator;
  let workos: WorkOS;
  let organizationId: string;
  let membershipId: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: SEED });
    workos = clientFor(emulator);
  });

  beforeEach(async () => {
    await emulator.reset();
    const organization = await workos.organizations.createOrganization({ name: 'Acme' });
    const user = await workos.userManagement.createUser({ email: 'member@acme.test' });
    const membership = await workos.userManagement.createOrganizationMembership({ organizationId: organization.id, userId: user.id });
    organizationId = organization.id;
    membershipId = membership.id;
  });

  afterAll(async () => {
    await emulator.close();
    expect(specValidator.violations).toEqual([]);
    expect([...specValidator.uncovered].filter((operation) => !MISSING_FROM_DOCUMENT.some((pattern) => pattern.test(operation)))).toEqual([]);
  });

  const createWorkspace = (externalId: string, parentResourceId?: string) =>
    workos.authorization.createResource({
      organizationId,
      resourceTypeSlug: 'workspace',
      externalId,
      name: externalId,
      ...(parentResourceId === undefined ? {} : { parentResourceId }),
    });

  it('manages environment roles', async () => {
    const created = await workos.authorization.createEnvironmentRole({ slug: 'billing', name: 'Billing' });
    expect(created).toMatchObject({ slug: 'billing', type: 'EnvironmentRole', resourceTypeSlug: 'organization', permissions: [] });
    await expect(workos.authorization.createEnvironmentRole({ slug: 'billing', name: 'Again' })).rejects.toMatchObject({
      constructor: ConflictException,
      code: 'role_slug_conflict',
    });

    await workos.authorization.updateEnvironmentRole('billing', { description: 'Pays' });
    await workos.authorization.setEnvironmentRolePermissions('billing', { permissions: ['org:manage'] });
    const added = await workos.authorization.addEnvironmentRolePermission('billing', { permissionSlug: 'workspace:view' });
    expect(added.permissions).toEqual(['org:manage', 'workspace:view']);
    expect((await workos.authorization.getEnvironmentRole('billing')).description).toBe('Pays');

    const list = await workos.authorization.listEnvironmentRoles();
    expect(list.data.map((role) => role.slug)).toEqual(['member', 'admin', 'workspace-viewer', 'project-editor', 'billing']);
    await expect(workos.authorization.setEnvironmentRolePermissions('billing', { permissions: ['nope'] })).rejects.toBeInstanceOf(UnprocessableEntityException);
    await expect(workos.authorization.createEnvironmentRole({ slug: 'Bad Slug', name: 'x' })).rejects.toBeInstanceOf(UnprocessableEntityException);
  });

  it('manages custom organization roles', async () => {
    const role = await workos.authorization.createOrganizationRole(organizationId, { slug: 'org-auditor', name: 'Auditor' });
    expect(role.type).toBe('OrganizationRole');
    const generated = await workos.authorization.createOrganizationRole(organizationId, { name: 'Support Lead' });
    expect(generated.slug).toBe('org-support-lead');
    await expect(workos.authorization.createOrganizationRole(organizationId, { slug: 'auditor', name: 'x' })).rejects.toBeInstanceOf(UnprocessableEntityException);

    await workos.authorization.setOrganizationRolePermissions(organizationId, 'org-auditor', { permissions: ['workspace:view'] });
    await workos.authorization.addOrganizationRolePermission(organizationId, 'org-auditor', { permissionSlug: 'project:view' });
    await workos.authorization.removeOrganizationRolePermission(organizationId, 'org-auditor', { permissionSlug: 'workspace:view' });
    expect((await workos.authorization.getOrganizationRole(organizationId, 'org-auditor')).permissions).toEqual(['project:view']);
    expect((await workos.authorization.getOrganizationRole(organizationId, 'admin')).type).toBe('EnvironmentRole');

    const roles = await workos.authorization.listOrganizationRoles(organizationId);
    expect(roles.data.map((entry) => entry.slug)).toContain('org-auditor');

    // A role held by a membership cannot be deleted.
    await workos.userManagement.updateOrganizationMembership(membershipId, { roleSlug: 'org-auditor' });
    await expect(workos.authorization.deleteOrganizationRole(organizationId, 'org-auditor')).rejects.toMatchObject({
      constructor: ConflictException,
      code: 'role_has_assignments',
    });
    await workos.userManagement.updateOrganizationMembership(membershipId, { roleSlug: 'member' });
    await workos.authorization.deleteOrganizationRole(organizationId, 'org-auditor');
    await expect(workos.authorization.getOrganizationRole(organizationId, 'org-auditor')).rejects.toBeInstanceOf(NotFoundException);
  });

  it('manages permissions', async () => {
    const permission = await workos.authorization.createPermission({ slug: 'reports:export', name: 'Export' });
    expect(permission).toMatchObject({ slug: 'reports:export', resourceTypeSlug: 'organization', system: false });
    await expect(workos.authorization.createPermission({ slug: 'reports:export', name: 'Again' })).rejects.toMatchObject({
      constructor: ConflictException,
      code: 'permission_slug_conflict',
    });
    await expect(workos.authorization.createPermission({ slug: 'Reports', name: 'x' })).rejects.toBeInstanceOf(UnprocessableEntityException);
    await expect(workos.authorization.createPermission({ slug: 'x:y', name: 'x', resourceTypeSlug: 'galaxy' })).rejects.toBeInstanceOf(NotFoundException);

    await workos.authorization.updatePermission('reports:export', { name: 'Export reports' });
    expect((await workos.authorization.getPermission('reports:export')).name).toBe('Export reports');
    const all = await workos.authorization.listPermissions({ order: 'asc' });
    expect(all.data.map((entry) => entry.slug)).toEqual(['org:manage', 'workspace:view', 'workspace:edit', 'project:view', 'project:edit', 'reports:export']);

    await workos.authorization.addEnvironmentRolePermission('admin', { permissionSlug: 'reports:export' });
    await workos.authorization.deletePermission('reports:export');
    expect((await workos.authorization.getEnvironmentRole('admin')).permissions).not.toContain('reports:export');
  });

  it('creates, updates, re-parents and lists resources', async () => {
    const first = await createWorkspace('ws-1');
    const second = await createWorkspace('ws-2');
    const project = await workos.authorization.createResource({
      organizationId,
      resourceTypeSlug: 'project',
      externalId: 'p-1',
      name: 'P1',
      parentResourceId: first.id,
    });

    const renamed = await workos.authorization.updateResource({ resourceId: project.id, name: 'Renamed', description: 'About' });
    expect(renamed).toMatchObject({ name: 'Renamed', description: 'About' });
    const byExternalId = await workos.authorization.updateResourceByExternalId({ organizationId, resourceTypeSlug: 'project', externalId: 'p-1', name: 'Again' });
    expect(byExternalId.id).toBe(project.id);
    expect((await workos.authorization.getResourceByExternalId({ organizationId, resourceTypeSlug: 'project', externalId: 'p-1' })).name).toBe('Again');

    // Re-parenting goes through the body the OpenAPI document allows.
    const moved = await rawRequest(emulator, 'PATCH', `/authorization/resources/${project.id}`, { parent_resource_id: second.id });
    expect(moved.status).toBe(200);
    expect(((await moved.json()) as { parent_resource_id: string }).parent_resource_id).toBe(second.id);
    const cycle = await rawRequest(emulator, 'PATCH', `/authorization/resources/${first.id}`, { parent_resource_id: first.id });
    expect(cycle.status).toBe(422);
    const nested = await rawRequest(emulator, 'PATCH', `/authorization/resources/${second.id}`, { parent_resource_external_id: 'ws-1', parent_resource_type_slug: 'workspace' });
    expect(((await nested.json()) as { parent_resource_id: string }).parent_resource_id).toBe(first.id);
    const topLevel = await rawRequest(emulator, 'PATCH', `/authorization/resources/${second.id}`, { parent_resource_id: null });
    expect(((await topLevel.json()) as { parent_resource_id: string | null }).parent_resource_id).toBeNull();

    const children = await workos.authorization.listResources({ parentResourceId: second.id });
    expect(children.data.map((resource) => resource.id)).toEqual([project.id]);
    const byParentExternalId = await workos.authorization.listResources({ organizationId, parentResourceTypeSlug: 'workspace', parentExternalId: 'ws-2' });
    expect(byParentExternalId.data.map((resource) => resource.id)).toEqual([project.id]);
    const workspaces = await workos.authorization.listResources({ organizationId, resourceTypeSlug: 'workspace', order: 'asc' });
    expect(workspaces.data.map((resource) => resource.externalId)).toEqual(['ws-1', 'ws-2']);

    // The organization's root resource is addressable but immutable.
    const root = await workos.authorization.getResourceByExternalId({ organizationId, resourceTypeSlug: 'organization', externalId: organizationId });
    expect(root.parentResourceId).toBeNull();
    await expect(workos.authorization.updateResource({ resourceId: root.id, name: 'Renamed' })).rejects.toMatchObject({ code: 'organization_resource_immutable' });
    await expect(workos.authorization.deleteResource({ resourceId: root.id, cascadeDelete: true })).rejects.toMatchObject({ code: 'organization_resource_immutable' });

    await workos.authorization.deleteResourceByExternalId({ organizationId, resourceTypeSlug: 'project', externalId: 'p-1' });
    await expect(workos.authorization.getResource(project.id)).rejects.toBeInstanceOf(NotFoundException);
  });

  it('validates resources', async () => {
    const workspace = await createWorkspace('ws');
    await expect(createWorkspace('ws')).rejects.toMatchObject({ constructor: ConflictException, code: 'authorization_resource_external_id_conflict' });

    // A project cannot sit directly under the organization.
    await expect(
      workos.authorization.createResource({ organizationId, resourceTypeSlug: 'project', externalId: 'p', name: 'P' }),
    ).rejects.toBeInstanceOf(UnprocessableEntityException);
    await expect(
      workos.authorization.createResource({ organizationId, resourceTypeSlug: 'workspace', externalId: 'x', name: 'x'.repeat(49) }),
    ).rejects.toBeInstanceOf(UnprocessableEntityException);
    await expect(
      workos.authorization.createResource({ organizationId, resourceTypeSlug: 'workspace', externalId: 'x', name: 'X', parentResourceId: 'authz_resource_missing' }),
    ).rejects.toBeInstanceOf(NotFoundException);

    // A parent of another organization is rejected as invalid input, on create and on a move.
    const other = await workos.organizations.createOrganization({ name: 'Other' });
    await expect(
      workos.authorization.createResource({ organizationId: other.id, resourceTypeSlug: 'workspace', externalId: 'y', name: 'Y', parentResourceId: workspace.id }),
    ).rejects.toMatchObject({ constructor: UnprocessableEntityException, message: expect.stringContaining('invalid_parent_resource') as unknown });
    const stranger = await workos.authorization.createResource({ organizationId: other.id, resourceTypeSlug: 'workspace', externalId: 'z', name: 'Z' });
    await expect(workos.patch(`/authorization/resources/${stranger.id}`, { parent_resource_id: workspace.id })).rejects.toBeInstanceOf(UnprocessableEntityException);

    // Five levels below the organization at most.
    let parent = workspace.id;
    for (let level = 2; level <= 5; level += 1) {
      parent = (await createWorkspace(`level-${level}`, parent)).id;
    }
    await expect(createWorkspace('level-6', parent)).rejects.toMatchObject({ constructor: UnprocessableEntityException });
  });

  it('assigns roles and lists assignments', async () => {
    const workspace = await createWorkspace('ws');
    const project = await workos.authorization.createResource({ organizationId, resourceTypeSlug: 'project', externalId: 'p', name: 'P', parentResourceId: workspace.id });
    const onWorkspace = await workos.authorization.assignRole({ organizationMembershipId: membershipId, roleSlug: 'workspace-viewer', resourceId: workspace.id });
    await workos.authorization.assignRole({ organizationMembershipId: membershipId, roleSlug: 'project-editor', resourceExternalId: 'p', resourceTypeSlug: 'project' });

    await expect(
      workos.authorization.assignRole({ organizationMembershipId: membershipId, roleSlug: 'project-editor', resourceId: workspace.id }),
    ).rejects.toBeInstanceOf(UnprocessableEntityException);
    await expect(
      workos.authorization.assignRole({ organizationMembershipId: membershipId, roleSlug: 'workspace-viewer', resourceId: workspace.id }),
    ).rejects.toMatchObject({ constructor: UnprocessableEntityException, code: 'role_assignment_already_exists' });
    await expect(
      workos.authorization.assignRole({ organizationMembershipId: membershipId, roleSlug: 'ghost', resourceId: workspace.id }),
    ).rejects.toBeInstanceOf(NotFoundException);

    const filtered = await workos.authorization.listRoleAssignments({ organizationMembershipId: membershipId, resourceTypeSlug: 'project' });
    expect(filtered.data.map((assignment) => assignment.role.slug)).toEqual(['project-editor']);
    const forResource = await workos.authorization.listRoleAssignmentsForResource({ resourceId: workspace.id });
    expect(forResource.data.map((assignment) => assignment.id)).toEqual([onWorkspace.id]);
    const forExternal = await workos.authorization.listResourceRoleAssignments({ organizationId, resourceTypeSlug: 'project', externalId: 'p', roleSlug: 'project-editor' });
    expect(forExternal.data.map((assignment) => assignment.resource.id)).toEqual([project.id]);

    await expect(
      workos.authorization.removeRole({ organizationMembershipId: membershipId, roleSlug: 'workspace-viewer', resourceId: project.id }),
    ).rejects.toBeInstanceOf(NotFoundException);

    // Without cascade, a resource with assignments cannot be deleted.
    await expect(workos.authorization.deleteResource({ resourceId: project.id })).rejects.toMatchObject({ code: 'resource_has_dependents' });
  });

  it('discovers resources and memberships', async () => {
    const viewer = await workos.userManagement.createUser({ email: 'viewer@acme.test' });
    const viewerMembership = await workos.userManagement.createOrganizationMembership({ organizationId, userId: viewer.id });
    const admin = await workos.userManagement.createUser({ email: 'admin@acme.test' });
    const adminMembership = await workos.userManagement.createOrganizationMembership({ organizationId, userId: admin.id, roleSlug: 'admin' });
    const workspace = await createWorkspace('ws');
    const visible = await workos.authorization.createResource({ organizationId, resourceTypeSlug: 'project', externalId: 'visible', name: 'V', parentResourceId: workspace.id });
    await workos.authorization.createResource({ organizationId, resourceTypeSlug: 'project', externalId: 'hidden', name: 'H', parentResourceId: workspace.id });
    await workos.authorization.assignRole({ organizationMembershipId: viewerMembership.id, roleSlug: 'project-editor', resourceId: visible.id });

    const discovered = await workos.authorization.listResourcesForMembership({
      organizationMembershipId: viewerMembership.id,
      permissionSlug: 'project:edit',
      parentResourceId: workspace.id,
    });
    expect(discovered.data.map((resource) => resource.externalId)).toEqual(['visible']);
    const adminDiscovered = await workos.authorization.listResourcesForMembership({
      organizationMembershipId: adminMembership.id,
      permissionSlug: 'project:edit',
      parentResourceTypeSlug: 'workspace',
      parentResourceExternalId: 'ws',
    });
    expect(adminDiscovered.data).toHaveLength(2);

    const direct = await workos.authorization.listMembershipsForResource({ resourceId: visible.id, permissionSlug: 'project:edit' });
    expect(direct.data.map((membership) => membership.id)).toEqual([viewerMembership.id]);
    const indirect = await workos.authorization.listMembershipsForResourceByExternalId({
      organizationId,
      resourceTypeSlug: 'project',
      externalId: 'visible',
      permissionSlug: 'project:edit',
      assignment: 'indirect',
    });
    expect(indirect.data.map((membership) => membership.id).sort()).toEqual([adminMembership.id, viewerMembership.id].sort());

    const effective = await workos.authorization.listEffectivePermissions({ organizationMembershipId: viewerMembership.id, resourceId: visible.id });
    expect(effective.data.map((permission) => permission.slug).sort()).toEqual(['project:edit', 'project:view']);
    const effectiveByExternalId = await workos.authorization.listEffectivePermissionsByExternalId({
      organizationMembershipId: adminMembership.id,
      resourceTypeSlug: 'workspace',
      externalId: 'ws',
    });
    expect(effectiveByExternalId.data.map((permission) => permission.slug)).toContain('workspace:edit');
    const specPath = await rawRequest(emulator, 'GET', `/authorization/organization_memberships/${viewerMembership.id}/resources/${visible.id}/permissions`);
    expect(specPath.status).toBe(200);

    const missingParent = await rawRequest(emulator, 'GET', `/authorization/organization_memberships/${viewerMembership.id}/resources?permission_slug=project:edit`);
    expect(missingParent.status).toBe(400);
  });

  it('grants roles through groups', async () => {
    const workspace = await createWorkspace('ws');
    const group = await workos.groups.createGroup({ organizationId, name: 'Editors' });
    await workos.groups.addOrganizationMembership({ organizationId, groupId: group.id, organizationMembershipId: membershipId });
    const check = () => workos.authorization.check({ organizationMembershipId: membershipId, permissionSlug: 'project:view', resourceId: workspace.id });
    expect((await check()).authorized).toBe(false);

    const groupAssignment = await workos.authorization.createGroupRoleAssignment({ groupId: group.id, roleSlug: 'workspace-viewer', resourceId: workspace.id });
    expect(groupAssignment.resource.id).toBe(workspace.id);
    expect((await check()).authorized).toBe(true);
    await expect(
      workos.authorization.createGroupRoleAssignment({ groupId: group.id, roleSlug: 'workspace-viewer', resourceId: workspace.id }),
    ).rejects.toBeInstanceOf(ConflictException);

    const memberAssignments = await workos.authorization.listRoleAssignments({ organizationMembershipId: membershipId });
    expect(memberAssignments.data).toHaveLength(1);
    expect(memberAssignments.data[0]!.source).toEqual({ type: 'group', groupRoleAssignmentId: groupAssignment.id });
    await expect(
      workos.authorization.removeRoleAssignment({ organizationMembershipId: membershipId, roleAssignmentId: memberAssignments.data[0]!.id }),
    ).rejects.toMatchObject({ constructor: GenericServerException, status: 403, code: 'group_role_assignment_not_removable' });

    // An organization-level group role goes on the organization itself when no resource is named.
    const replaced = await workos.authorization.replaceGroupRoleAssignments({ groupId: group.id, roleAssignments: [{ roleSlug: 'admin' }] });
    expect(replaced.data.map((entry) => entry.role.slug)).toEqual(['admin']);
    expect((await workos.authorization.check({ organizationMembershipId: membershipId, permissionSlug: 'workspace:edit', resourceId: workspace.id })).authorized).toBe(true);
    expect((await workos.authorization.listGroupRoleAssignments({ groupId: group.id })).data).toHaveLength(1);

    await workos.authorization.removeGroupRoleAssignments({ groupId: group.id, roleSlug: 'admin' });
    expect((await check()).authorized).toBe(false);

    await workos.authorization.createGroupRoleAssignment({ groupId: group.id, roleSlug: 'workspace-viewer', resourceExternalId: 'ws', resourceTypeSlug: 'workspace' });
    const groups = await workos.userManagement.listGroupsForOrganizationMembership({ organizationMembershipId: membershipId });
    expect(groups.data.map((entry) => entry.id)).toEqual([group.id]);
    await workos.groups.deleteGroup({ organizationId, groupId: group.id });
    expect((await check()).authorized).toBe(false);
    expect((await workos.authorization.listRoleAssignments({ organizationMembershipId: membershipId })).data).toEqual([]);
  });

  it('denies inactive memberships and unknown permissions', async () => {
    const workspace = await createWorkspace('ws');
    await workos.userManagement.updateOrganizationMembership(membershipId, { roleSlug: 'admin' });
    const check = () => workos.authorization.check({ organizationMembershipId: membershipId, permissionSlug: 'workspace:view', resourceId: workspace.id });
    expect((await check()).authorized).toBe(true);

    await workos.userManagement.deactivateOrganizationMembership(membershipId);
    expect((await check()).authorized).toBe(false);
    await workos.userManagement.reactivateOrganizationMembership(membershipId);
    expect((await check()).authorized).toBe(true);

    const unknown = await workos.authorization.check({ organizationMembershipId: membershipId, permissionSlug: 'nothing:here', resourceId: workspace.id });
    expect(unknown.authorized).toBe(false);
  });
});

describe('user management rules', () => {
  let emulator: Emulator;
  let workos: WorkOS;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: SEED });
    workos = clientFor(emulator);
  });

  afterAll(async () => {
    await emulator.close();
  });

  it('rejects a duplicate email with BadRequestException', async () => {
    await workos.userManagement.createUser({ email: 'dup@acme.test' });
    const duplicate = workos.userManagement.createUser({ email: 'DUP@acme.test' });
    await expect(duplicate).rejects.toBeInstanceOf(BadRequestException);
    await expect(duplicate).rejects.toMatchObject({ code: 'user_creation_error', errors: [{ code: 'email_not_available' }] });
    await expect(workos.userManagement.createUser({ email: 'not-an-email' })).rejects.toBeInstanceOf(UnprocessableEntityException);
  });

  it('enforces single organization roles unless enabled', async () => {
    const organization = await workos.organizations.createOrganization({ name: 'Roles' });
    const user = await workos.userManagement.createUser({ email: 'roles@acme.test' });
    const create = (options: { roleSlug?: string; roleSlugs?: string[] }) =>
      workos.userManagement.createOrganizationMembership({ organizationId: organization.id, userId: user.id, ...options });

    await expect(create({ roleSlugs: ['member', 'admin'] })).rejects.toMatchObject({ constructor: UnprocessableEntityException, code: 'multiple_roles_not_enabled' });
    await expect(create({ roleSlug: 'ghost' })).rejects.toMatchObject({ code: 'invalid_role' });
    await expect(create({ roleSlug: 'workspace-viewer' })).rejects.toMatchObject({ code: 'sub_resource_scoped_role_not_allowed' });
    const membership = await create({ roleSlug: 'admin' });
    await expect(create({})).rejects.toMatchObject({ constructor: GenericServerException, code: 'organization_membership_already_exists' });

    await workos.userManagement.deactivateOrganizationMembership(membership.id);
    const reactivated = await create({ roleSlug: 'member' });
    expect(reactivated).toMatchObject({ id: membership.id, status: 'active', role: { slug: 'member' } });
  });

  it('requires a user or organization filter on memberships', async () => {
    // The SDK's types demand a filter; untyped callers can still send none.
    const noFilter = {} as Parameters<typeof workos.userManagement.listOrganizationMemberships>[0];
    await expect(workos.userManagement.listOrganizationMemberships(noFilter)).rejects.toMatchObject({
      constructor: GenericServerException,
      code: 'missing_user_id_or_organization_id',
    });
  });

  it('rejects invalid metadata with 400', async () => {
    const metadata = Object.fromEntries(Array.from({ length: 11 }, (_, index) => [`key${index}`, 'value']));
    await expect(workos.organizations.createOrganization({ name: 'Meta', metadata })).rejects.toMatchObject({
      constructor: GenericServerException,
      status: 400,
      code: 'invalid_metadata',
    });
    const organization = await workos.organizations.createOrganization({ name: 'Meta', metadata: { plan: 'pro', seats: '5' } });
    const updated = await workos.organizations.updateOrganization({ organization: organization.id, metadata: { seats: null } as unknown as Record<string, string> });
    expect(updated.metadata).toEqual({ plan: 'pro' });
  });

  it('cascades organization deletion', async () => {
    const organization = await workos.organizations.createOrganization({ name: 'Doomed', externalId: 'doomed' });
    const user = await workos.userManagement.createUser({ email: 'doomed@acme.test' });
    const membership = await workos.userManagement.createOrganizationMembership({ organizationId: organization.id, userId: user.id });
    const workspace = await workos.authorization.createResource({ organizationId: organization.id, resourceTypeSlug: 'workspace', externalId: 'w', name: 'W' });
    await workos.authorization.assignRole({ organizationMembershipId: membership.id, roleSlug: 'workspace-viewer', resourceId: workspace.id });

    await workos.organizations.deleteOrganization(organization.id);
    await expect(workos.organizations.getOrganizationByExternalId('doomed')).rejects.toBeInstanceOf(NotFoundException);
    await expect(workos.userManagement.getOrganizationMembership(membership.id)).rejects.toBeInstanceOf(NotFoundException);
    await expect(workos.authorization.getResource(workspace.id)).rejects.toBeInstanceOf(NotFoundException);
    expect((await workos.userManagement.getUser(user.id)).id).toBe(user.id);
  });

  it('replays a create with the same idempotency key', async () => {
    const first = await workos.organizations.createOrganization({ name: 'Once' }, { idempotencyKey: 'once-key' });
    const second = await workos.organizations.createOrganization({ name: 'Once' }, { idempotencyKey: 'once-key' });
    expect(second.id).toBe(first.id);
    await expect(workos.organizations.createOrganization({ name: 'Twice' }, { idempotencyKey: 'once-key' })).rejects.toBeInstanceOf(GenericServerException);
  });
});

describe('pagination', () => {
  let emulator: Emulator;
  let workos: WorkOS;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: SEED });
    workos = clientFor(emulator);
    for (let index = 0; index < 260; index += 1) {
      await workos.organizations.createOrganization({ name: `Org ${String(index).padStart(3, '0')}` });
    }
  });

  afterAll(async () => {
    await emulator.close();
  });

  it('defaults to 10 newest first', async () => {
    const page = await workos.organizations.listOrganizations();
    expect(page.data).toHaveLength(10);
    expect(page.data[0]!.name).toBe('Org 259');
    expect(page.listMetadata.before).toBeNull();
    expect(page.listMetadata.after).toBe(page.data[9]!.id);
  });

  it('walks pages with after and before', async () => {
    const first = await workos.organizations.listOrganizations({ limit: 3, order: 'asc' });
    expect(first.data.map((organization) => organization.name)).toEqual(['Org 000', 'Org 001', 'Org 002']);
    const second = await workos.organizations.listOrganizations({ limit: 3, order: 'asc', after: first.listMetadata.after! });
    expect(second.data.map((organization) => organization.name)).toEqual(['Org 003', 'Org 004', 'Org 005']);
    expect(second.listMetadata.before).toBe(second.data[0]!.id);
    const back = await workos.organizations.listOrganizations({ limit: 3, order: 'asc', before: second.listMetadata.before! });
    expect(back.data.map((organization) => organization.name)).toEqual(['Org 000', 'Org 001', 'Org 002']);
    expect(back.listMetadata.before).toBeNull();
  });

  it('auto-paginates over every object', async () => {
    const page = await workos.organizations.listOrganizations();
    const all = await page.autoPagination();
    expect(all).toHaveLength(260);
    expect(new Set(all.map((organization) => organization.id)).size).toBe(260);
  });

  it('rejects a limit out of range', async () => {
    await expect(workos.organizations.listOrganizations({ limit: 101 })).rejects.toBeInstanceOf(UnprocessableEntityException);
    await expect(workos.organizations.listOrganizations({ limit: 0 })).rejects.toBeInstanceOf(UnprocessableEntityException);
    await expect(workos.organizations.listOrganizations({ limit: 100 })).resolves.toMatchObject({ data: { length: 100 } });
  });
});
