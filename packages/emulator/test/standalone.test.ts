import { ConflictException, NotFoundException, UnauthorizedException, type WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { clientFor, EXAMPLE_SEED, rawRequest, specValidator } from './helpers.js';

describe('standalone integration flow', () => {
  let emulator: Emulator;
  let workos: WorkOS;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: EXAMPLE_SEED });
    workos = clientFor(emulator);
  });

  afterAll(async () => {
    await emulator.close();
    expect(specValidator.violations).toEqual([]);
  });

  it('runs the lifecycle with inheritance', async () => {
    const organization = await workos.organizations.createOrganization({ name: 'Acme', externalId: 'acme' });
    const found = await workos.organizations.getOrganizationByExternalId('acme');
    expect(found.id).toBe(organization.id);

    const alice = await workos.userManagement.createUser({ email: 'alice@acme.test', externalId: 'u-alice' });
    const bob = await workos.userManagement.createUser({ email: 'bob@acme.test', firstName: 'Bob' });
    const aliceMembership = await workos.userManagement.createOrganizationMembership({
      organizationId: organization.id,
      userId: alice.id,
      roleSlug: 'admin',
    });
    const bobMembership = await workos.userManagement.createOrganizationMembership({ organizationId: organization.id, userId: bob.id });
    expect(aliceMembership.role.slug).toBe('admin');
    expect(bobMembership.role.slug).toBe('member');

    const workspace = await workos.authorization.createResource({
      organizationId: organization.id,
      resourceTypeSlug: 'workspace',
      externalId: 'ws-1',
      name: 'Workspace 1',
    });
    const project = await workos.authorization.createResource({
      organizationId: organization.id,
      resourceTypeSlug: 'project',
      externalId: 'proj-1',
      name: 'Project 1',
      parentResourceExternalId: 'ws-1',
      parentResourceTypeSlug: 'workspace',
    });
    expect(workspace.parentResourceId).toBeNull();
    expect(project.parentResourceId).toBe(workspace.id);

    // Organization-level role: admin includes every permission, on every resource.
    const adminCheck = await workos.authorization.check({
      organizationMembershipId: aliceMembership.id,
      permissionSlug: 'project:edit',
      resourceId: project.id,
    });
    expect(adminCheck.authorized).toBe(true);

    const bobBefore = await workos.authorization.check({
      organizationMembershipId: bobMembership.id,
      permissionSlug: 'project:edit',
      resourceExternalId: 'proj-1',
      resourceTypeSlug: 'project',
    });
    expect(bobBefore.authorized).toBe(false);

    // A role on the workspace flows down to its project.
    const assignment = await workos.authorization.assignRole({
      organizationMembershipId: bobMembership.id,
      roleSlug: 'workspace-editor',
      resourceExternalId: 'ws-1',
      resourceTypeSlug: 'workspace',
    });
    expect(assignment.resource.id).toBe(workspace.id);
    expect(assignment.source.type).toBe('direct');
    const bobAfter = await workos.authorization.check({
      organizationMembershipId: bobMembership.id,
      permissionSlug: 'project:edit',
      resourceId: project.id,
    });
    expect(bobAfter.authorized).toBe(true);

    const assignments = await workos.authorization.listRoleAssignments({ organizationMembershipId: bobMembership.id });
    expect(assignments.data.map((entry) => entry.id)).toEqual([assignment.id]);

    await workos.authorization.removeRoleAssignment({ organizationMembershipId: bobMembership.id, roleAssignmentId: assignment.id });
    const bobRevoked = await workos.authorization.check({
      organizationMembershipId: bobMembership.id,
      permissionSlug: 'project:edit',
      resourceId: project.id,
    });
    expect(bobRevoked.authorized).toBe(false);

    // Remove by role and resource sends a JSON body on DELETE.
    await workos.authorization.assignRole({ organizationMembershipId: bobMembership.id, roleSlug: 'project-editor', resourceId: project.id });
    await workos.authorization.removeRole({ organizationMembershipId: bobMembership.id, roleSlug: 'project-editor', resourceId: project.id });
    const afterRemoveRole = await workos.authorization.listRoleAssignments({ organizationMembershipId: bobMembership.id });
    expect(afterRemoveRole.data).toEqual([]);

    // Changing the organization role changes checks at once.
    const updated = await workos.userManagement.updateOrganizationMembership(bobMembership.id, { roleSlug: 'auditor' });
    expect(updated.role.slug).toBe('auditor');
    const auditorView = await workos.authorization.check({ organizationMembershipId: bobMembership.id, permissionSlug: 'project:view', resourceId: project.id });
    expect(auditorView.authorized).toBe(true);

    // Deleting a resource with children needs cascade.
    await expect(workos.authorization.deleteResource({ resourceId: workspace.id })).rejects.toMatchObject({
      constructor: ConflictException,
      code: 'resource_has_dependents',
    });
    await workos.authorization.deleteResource({ resourceId: workspace.id, cascadeDelete: true });
    await expect(workos.authorization.getResource(project.id)).rejects.toBeInstanceOf(NotFoundException);

    // Membership and user deletion cascade.
    const bobWorkspace = await workos.authorization.createResource({ organizationId: organization.id, resourceTypeSlug: 'workspace', externalId: 'ws-2', name: 'W2' });
    await workos.authorization.assignRole({ organizationMembershipId: bobMembership.id, roleSlug: 'workspace-admin', resourceId: bobWorkspace.id });
    await workos.userManagement.deleteOrganizationMembership(bobMembership.id);
    await expect(workos.userManagement.getOrganizationMembership(bobMembership.id)).rejects.toBeInstanceOf(NotFoundException);
    expect(emulator.snapshot().role_assignments).toEqual([]);
    await workos.userManagement.deleteUser(alice.id);
    await expect(workos.userManagement.getOrganizationMembership(aliceMembership.id)).rejects.toBeInstanceOf(NotFoundException);
  });

  it('check answers 404 for unknown memberships and resources', async () => {
    const organization = await workos.organizations.createOrganization({ name: 'Other' });
    const user = await workos.userManagement.createUser({ email: 'carol@other.test' });
    const membership = await workos.userManagement.createOrganizationMembership({ organizationId: organization.id, userId: user.id });

    await expect(
      workos.authorization.check({ organizationMembershipId: 'om_01ZZZZZZZZZZZZZZZZZZZZZZZZ', permissionSlug: 'workspace:view', resourceId: 'x' }),
    ).rejects.toBeInstanceOf(NotFoundException);
    await expect(
      workos.authorization.check({ organizationMembershipId: membership.id, permissionSlug: 'workspace:view', resourceExternalId: 'missing', resourceTypeSlug: 'workspace' }),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('roles at several levels combine', async () => {
    const organization = await workos.organizations.createOrganization({ name: 'Nested' });
    const user = await workos.userManagement.createUser({ email: 'dana@nested.test' });
    const membership = await workos.userManagement.createOrganizationMembership({
      organizationId: organization.id,
      userId: user.id,
      roleSlugs: ['member', 'auditor'],
    });
    expect(membership.roles?.map((role) => role.slug).sort()).toEqual(['auditor', 'member']);

    const outer = await workos.authorization.createResource({ organizationId: organization.id, resourceTypeSlug: 'workspace', externalId: 'outer', name: 'Outer' });
    const inner = await workos.authorization.createResource({ organizationId: organization.id, resourceTypeSlug: 'workspace', externalId: 'inner', name: 'Inner', parentResourceId: outer.id });
    const project = await workos.authorization.createResource({ organizationId: organization.id, resourceTypeSlug: 'project', externalId: 'p', name: 'P', parentResourceId: inner.id });

    const check = (permissionSlug: string, resourceId: string) =>
      workos.authorization.check({ organizationMembershipId: membership.id, permissionSlug, resourceId }).then((result) => result.authorized);

    expect(await check('project:view', project.id)).toBe(true);
    expect(await check('workspace:manage', project.id)).toBe(false);

    await workos.authorization.assignRole({ organizationMembershipId: membership.id, roleSlug: 'workspace-admin', resourceId: outer.id });
    expect(await check('workspace:manage', inner.id)).toBe(true);
    expect(await check('project:edit', project.id)).toBe(true);
  });

  it('rejects a wrong API key with 401', async () => {
    const intruder = clientFor(emulator, {}, 'sk_test_wrong');
    await expect(intruder.organizations.listOrganizations()).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await rawRequest(emulator, 'GET', '/no/such/route');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({ code: 'not_found' });
  });

  it('filters memberships by status, active by default', async () => {
    const organization = await workos.organizations.createOrganization({ name: 'Statuses' });
    const first = await workos.userManagement.createUser({ email: 'first@statuses.test' });
    const second = await workos.userManagement.createUser({ email: 'second@statuses.test' });
    await workos.userManagement.createOrganizationMembership({ organizationId: organization.id, userId: first.id });
    const inactive = await workos.userManagement.createOrganizationMembership({ organizationId: organization.id, userId: second.id });
    await workos.userManagement.deactivateOrganizationMembership(inactive.id);

    const active = await workos.userManagement.listOrganizationMemberships({ organizationId: organization.id });
    expect(active.data.map((membership) => membership.userId)).toEqual([first.id]);
    const inactiveOnly = await workos.userManagement.listOrganizationMemberships({ organizationId: organization.id, statuses: ['inactive'] });
    expect(inactiveOnly.data.map((membership) => membership.id)).toEqual([inactive.id]);
  });
});
