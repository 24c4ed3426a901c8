import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecisionInvalidation } from '../src/invalidation.js';
import { invalidationChannel } from '../src/invalidation.js';
import { SyncFailedError } from '../src/sync/errors.js';
import { createWorkOS } from '../src/workos.js';
import type { Sync } from '../src/sync/sync.js';
import type { SyncTicket } from '../src/sync/types.js';
import { createSyncWorker } from '../src/sync/worker.js';
import { FAST_RETRIES, REDIS_URL, setupSync, type SyncFixture } from './sync-fixtures.js';

let fixture: SyncFixture;

afterEach(async () => {
  await fixture.close();
});

const WAIT = { timeoutMs: 10_000 };

async function membershipsOf(fixture: SyncFixture, userId: string): Promise<{ id: string; roles: string[]; status: string }[]> {
  const user = await fixture.workos.userManagement.getUserByExternalId(userId);
  const list = await fixture.workos.userManagement.listOrganizationMemberships({ userId: user.id, statuses: ['active', 'inactive', 'pending'] });
  return (await list.autoPagination()).map((m) => ({ id: m.id, roles: (m.roles ?? [m.role]).map((r) => r.slug).sort(), status: m.status }));
}

async function grantsOf(fixture: SyncFixture, membershipId: string): Promise<string[]> {
  const list = await fixture.workos.authorization.listRoleAssignments({ organizationMembershipId: membershipId });
  return (await list.autoPagination())
    .filter((a) => a.resource.resourceTypeSlug !== 'organization')
    .map((a) => `${a.resource.resourceTypeSlug}/${a.resource.externalId}:${a.role.slug}`)
    .sort();
}

/** Records a workspace of organization `acme`, under another workspace when `parentId` is given. */
function upsertWorkspace(sync: Sync, resourceId: string, parentId?: string): Promise<SyncTicket> {
  return sync.upsertResource({
    organizationId: 'acme',
    resourceTypeSlug: 'workspace',
    resourceId,
    name: resourceId,
    ...(parentId === undefined ? {} : { parent: { resourceTypeSlug: 'workspace', resourceId: parentId } }),
  });
}

/** Registers organization `acme` and signs user `u1` up into it, waiting for both. */
async function signUpIntoAcme(sync: Sync): Promise<void> {
  await sync.waitUntilApplied(await sync.upsertOrganization({ id: 'acme', name: 'Acme' }), WAIT);
  await sync.waitUntilApplied(await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme' }), WAIT);
}

describe('createSyncWorker', () => {
  it('applies the lifecycle to WorkOS', async () => {
    fixture = await setupSync();
    const { sync, workos } = fixture;

    await sync.waitUntilApplied(await sync.upsertOrganization({ id: 'acme', name: 'Acme' }), WAIT);
    await sync.waitUntilApplied(await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', firstName: 'Ada', organizationId: 'acme' }), WAIT);
    await sync.waitUntilApplied(
      await sync.upsertResource({ organizationId: 'acme', resourceTypeSlug: 'workspace', resourceId: 'ws1', name: 'Workspace 1' }),
      WAIT,
    );
    await sync.waitUntilApplied(
      await sync.upsertResource({
        organizationId: 'acme',
        resourceTypeSlug: 'project',
        resourceId: 'p1',
        name: 'Project 1',
        parent: { resourceTypeSlug: 'workspace', resourceId: 'ws1' },
      }),
      WAIT,
    );
    const grant = { userId: 'u1', organizationId: 'acme', resource: { resourceTypeSlug: 'workspace', resourceId: 'ws1' }, role: 'workspace-admin' };
    await sync.waitUntilApplied(await sync.grantResourceRole(grant), WAIT);

    const membershipId = await sync.getMembershipId('u1', 'acme');
    expect(membershipId).toMatch(/^om_/);
    expect(await sync.getOrganizationId('acme')).toBe((await workos.organizations.getOrganizationByExternalId('acme')).id);
    expect(await sync.getOrganizationId('unknown')).toBeUndefined();
    const check = (permission: string, resourceId: string, resourceTypeSlug: string): Promise<{ authorized: boolean }> =>
      workos.authorization.check({ organizationMembershipId: membershipId!, permissionSlug: permission, resourceExternalId: resourceId, resourceTypeSlug });
    expect((await check('project:edit', 'p1', 'project')).authorized).toBe(true);
    expect(await grantsOf(fixture, membershipId!)).toEqual(['workspace/ws1:workspace-admin']);

    await sync.waitUntilApplied(await sync.setOrganizationRoles({ userId: 'u1', organizationId: 'acme', roles: ['admin'] }), WAIT);
    expect((await membershipsOf(fixture, 'u1'))[0]?.roles).toEqual(['admin']);

    await sync.waitUntilApplied(await sync.revokeResourceRole(grant), WAIT);
    expect(await grantsOf(fixture, membershipId!)).toEqual([]);

    await sync.waitUntilApplied(await sync.removeMembership({ userId: 'u1', organizationId: 'acme' }), WAIT);
    expect(await membershipsOf(fixture, 'u1')).toEqual([]);
    expect(await sync.getMembershipId('u1', 'acme')).toBeUndefined();

    await sync.waitUntilApplied(await sync.deleteResource({ organizationId: 'acme', resourceTypeSlug: 'workspace', resourceId: 'ws1' }), WAIT);
    const organization = await workos.organizations.getOrganizationByExternalId('acme');
    await expect(
      workos.authorization.getResourceByExternalId({ organizationId: organization.id, resourceTypeSlug: 'project', externalId: 'p1' }),
    ).rejects.toMatchObject({ status: 404 });

    await sync.waitUntilApplied(await sync.deleteUser({ userId: 'u1' }), WAIT);
    await expect(workos.userManagement.getUserByExternalId('u1')).rejects.toMatchObject({ status: 404 });
  });

  it('moves a resource to another parent', async () => {
    fixture = await setupSync();
    const { sync, workos } = fixture;
    const workspace = (resourceId: string, parentId?: string) => upsertWorkspace(sync, resourceId, parentId);

    await signUpIntoAcme(sync);
    await sync.waitUntilApplied(await workspace('ws-a'), WAIT);
    await sync.waitUntilApplied(await workspace('ws-b'), WAIT);
    await sync.waitUntilApplied(await workspace('ws-child', 'ws-a'), WAIT);
    const grant = { userId: 'u1', organizationId: 'acme', resource: { resourceTypeSlug: 'workspace', resourceId: 'ws-b' }, role: 'workspace-viewer' };
    await sync.waitUntilApplied(await sync.grantResourceRole(grant), WAIT);

    const membershipId = (await sync.getMembershipId('u1', 'acme'))!;
    const canView = async (): Promise<boolean> =>
      (
        await workos.authorization.check({
          organizationMembershipId: membershipId,
          permissionSlug: 'workspace:view',
          resourceTypeSlug: 'workspace',
          resourceExternalId: 'ws-child',
        })
      ).authorized;
    const organizationId = (await sync.getOrganizationId('acme'))!;
    const parentOf = async (): Promise<string | null> =>
      (await workos.authorization.getResourceByExternalId({ organizationId, resourceTypeSlug: 'workspace', externalId: 'ws-child' })).parentResourceId;
    const wsB = await workos.authorization.getResourceByExternalId({ organizationId, resourceTypeSlug: 'workspace', externalId: 'ws-b' });
    expect(await canView()).toBe(false);

    await sync.waitUntilApplied(await workspace('ws-child', 'ws-b'), WAIT);
    expect(await parentOf()).toBe(wsB.id);
    expect(await canView()).toBe(true);

    await sync.waitUntilApplied(await workspace('ws-child'), WAIT);
    expect(await parentOf()).not.toBe(wsB.id);
    expect(await canView()).toBe(false);
  });

  it('deletes recorded descendants too', async () => {
    fixture = await setupSync();
    const { sync, workos } = fixture;
    const workspace = (resourceId: string, parentId?: string) => upsertWorkspace(sync, resourceId, parentId);
    await signUpIntoAcme(sync);
    for (const [id, parent] of [['top', undefined], ['other', undefined], ['child', 'top'], ['grandchild', 'child'], ['moved', 'top']] as const) {
      await sync.waitUntilApplied(await workspace(id, parent), WAIT);
    }
    const grant = { userId: 'u1', organizationId: 'acme', resource: { resourceTypeSlug: 'workspace', resourceId: 'grandchild' }, role: 'workspace-viewer' };
    await sync.waitUntilApplied(await sync.grantResourceRole(grant), WAIT);
    await sync.waitUntilApplied(await workspace('moved', 'other'), WAIT);

    const deletion = await sync.deleteResource({ organizationId: 'acme', resourceTypeSlug: 'workspace', resourceId: 'top' });
    await sync.waitUntilApplied(deletion, WAIT);

    const organizationId = (await sync.getOrganizationId('acme'))!;
    const remaining = await workos.authorization.listResources({ organizationId, resourceTypeSlug: 'workspace' });
    const records = await Promise.all(['child', 'grandchild', 'moved'].map((id) => sync.store.read(`r:acme:workspace:${id}`)));

    expect(deletion.changes.map((change) => change.entity).sort()).toEqual(['r:acme:workspace:child', 'r:acme:workspace:grandchild', 'r:acme:workspace:top']);
    expect(remaining.data.map((resource) => resource.externalId).sort()).toEqual(['moved', 'other']);
    expect(records.map((record) => record?.exists)).toEqual([false, false, true]);

    // The membership still converges: its grant on a deleted resource is skipped, not retried.
    await sync.waitUntilApplied(await sync.setOrganizationRoles({ userId: 'u1', organizationId: 'acme', roles: ['auditor'] }), WAIT);
  });

  it('converges a burst to the last state', async () => {
    fixture = await setupSync();
    const { sync, emulator } = fixture;
    await sync.waitUntilApplied(await sync.upsertOrganization({ id: 'acme', name: 'Acme' }), WAIT);
    await sync.waitUntilApplied(
      await sync.upsertResource({ organizationId: 'acme', resourceTypeSlug: 'workspace', resourceId: 'ws1', name: 'Workspace 1' }),
      WAIT,
    );
    emulator.addFault({ kind: 'error', status: 503, method: 'POST', path: '/user_management/users', times: 1 });

    const grant = { userId: 'u1', organizationId: 'acme', resource: { resourceTypeSlug: 'workspace', resourceId: 'ws1' }, role: 'workspace-admin' };
    const signup = await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme' });
    await sync.grantResourceRole(grant);
    await sync.revokeResourceRole(grant);
    const last = await sync.removeMembership({ userId: 'u1', organizationId: 'acme' });
    await sync.waitUntilApplied(signup, WAIT);
    await sync.waitUntilApplied(last, WAIT);

    expect(await membershipsOf(fixture, 'u1')).toEqual([]);
    expect(emulator.snapshot().users.filter((u) => u.external_id === 'u1')).toHaveLength(1);
    expect(emulator.snapshot().role_assignments).toEqual([]);
  });

  it('creates nothing twice when replayed', async () => {
    fixture = await setupSync();
    const { sync, emulator } = fixture;
    await sync.upsertOrganization({ id: 'acme', name: 'Acme' });
    const ticket = await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme', roles: ['member', 'auditor'] });
    await sync.waitUntilApplied(ticket, WAIT);

    // Forget the synced versions, as if every job ran again.
    await sync.store.client.hdel(sync.store.keys.entity('o:acme'), 'synced');
    await sync.store.client.hdel(sync.store.keys.entity('u:u1'), 'synced');
    await sync.store.client.hdel(sync.store.keys.entity('m:u1:acme'), 'synced');
    await sync.store.client.del(sync.store.keys.ids);
    await sync.enqueue(['o:acme', 'u:u1', 'm:u1:acme']);
    await sync.waitUntilApplied(ticket, WAIT);

    const snapshot = emulator.snapshot();
    expect(snapshot.organizations.filter((o) => o.external_id === 'acme')).toHaveLength(1);
    expect(snapshot.users).toHaveLength(1);
    expect(snapshot.memberships).toHaveLength(1);
    expect(snapshot.memberships[0]?.role_slugs.slice().sort()).toEqual(['auditor', 'member']);
  });

  it('waits for a prerequisite recorded later', async () => {
    fixture = await setupSync();
    const { sync } = fixture;

    const signup = await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sync.upsertOrganization({ id: 'acme', name: 'Acme' });
    await sync.waitUntilApplied(signup, WAIT);

    expect(await membershipsOf(fixture, 'u1')).toHaveLength(1);
  });

  it('waits without using up attempts', async () => {
    fixture = await setupSync({ prerequisiteDelayMs: 10 }, { attempts: 2 });
    const { sync } = fixture;

    const signup = await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme' });
    // Long enough for many more waits than the job has attempts.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await sync.upsertOrganization({ id: 'acme', name: 'Acme' });
    await sync.waitUntilApplied(signup, WAIT);

    expect(await membershipsOf(fixture, 'u1')).toHaveLength(1);
  });

  it('fails when a prerequisite failed', async () => {
    fixture = await setupSync();
    const { sync } = fixture;
    await signUpIntoAcme(sync);
    const resource = await sync.upsertResource({ organizationId: 'acme', resourceTypeSlug: 'no-such-type', resourceId: 'x', name: 'X' });
    await expect(sync.waitUntilApplied(resource, WAIT)).rejects.toThrow(SyncFailedError);

    const grant = await sync.grantResourceRole({ userId: 'u1', organizationId: 'acme', resource: { resourceTypeSlug: 'no-such-type', resourceId: 'x' }, role: 'workspace-admin' });
    const wait = sync.waitUntilApplied(grant, WAIT);

    await expect(wait).rejects.toThrow(SyncFailedError);
    await expect(wait).rejects.toMatchObject({ reason: expect.stringContaining('failed to sync') as unknown });
  });

  it('fails permanently with the reason', async () => {
    fixture = await setupSync();
    const { sync, worker } = fixture;
    const failures: string[] = [];
    worker.on('failed', (event) => failures.push(event.reason));
    await sync.upsertOrganization({ id: 'acme', name: 'Acme' });

    const ticket = await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme', role: 'no-such-role' });
    const wait = sync.waitUntilApplied(ticket, WAIT);

    await expect(wait).rejects.toThrow(SyncFailedError);
    await expect(wait).rejects.toMatchObject({ entity: 'm:u1:acme' });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/422/);
  });

  it('adopts a user only with the same external id', async () => {
    fixture = await setupSync();
    const { sync, workos } = fixture;
    await sync.upsertOrganization({ id: 'acme', name: 'Acme' });
    await workos.userManagement.createUser({ email: 'taken@example.com', externalId: 'someone-else' });

    const ticket = await sync.signUpUser({ userId: 'u1', email: 'taken@example.com', organizationId: 'acme' });

    await expect(sync.waitUntilApplied(ticket, WAIT)).rejects.toThrow(/external id is "someone-else", not "u1"/);
  });

  it('retries after a 5xx and a 429', async () => {
    fixture = await setupSync();
    const { sync, emulator, worker } = fixture;
    const events: string[] = [];
    worker.on('retrying', () => events.push('retrying'));
    worker.on('rate-limited', () => events.push('rate-limited'));
    emulator.addFault({ kind: 'error', status: 500, path: '/organizations/**', times: 1 });
    emulator.addFault({ kind: 'rate_limit', path: '/organizations', method: 'POST', times: 1 });

    await sync.waitUntilApplied(await sync.upsertOrganization({ id: 'acme', name: 'Acme' }), WAIT);

    expect(events).toContain('retrying');
    expect(events).toContain('rate-limited');
  });

  it('publishes invalidations', async () => {
    fixture = await setupSync();
    const { sync, prefix } = fixture;
    const subscriber = new Redis(REDIS_URL);
    const received: DecisionInvalidation[] = [];
    await subscriber.subscribe(invalidationChannel(prefix));
    subscriber.on('message', (_channel, message) => received.push(JSON.parse(message) as DecisionInvalidation));

    await sync.upsertOrganization({ id: 'acme', name: 'Acme' });
    await sync.waitUntilApplied(await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme' }), WAIT);
    await new Promise((resolve) => setTimeout(resolve, 50));
    subscriber.disconnect();

    const membershipId = await sync.getMembershipId('u1', 'acme');
    expect(received).toContainEqual({ kind: 'membership', organizationMembershipId: membershipId });
  });

  it('invalidates after a lost response', async () => {
    fixture = await setupSync();
    const { sync, prefix, workos, emulator } = fixture;
    await signUpIntoAcme(sync);
    await sync.waitUntilApplied(await upsertWorkspace(sync, 'ws1'), WAIT);
    const grant = { userId: 'u1', organizationId: 'acme', resource: { resourceTypeSlug: 'workspace', resourceId: 'ws1' }, role: 'workspace-admin' };
    await sync.waitUntilApplied(await sync.grantResourceRole(grant), WAIT);
    const membershipId = (await sync.getMembershipId('u1', 'acme'))!;

    // WorkOS applies the revoke but the worker never gets the response, so its retry finds nothing to write.
    fixture.emulator.addFault({ kind: 'lose_response', method: 'DELETE', path: '/authorization/organization_memberships/**', times: 1 });
    const subscriber = new Redis(REDIS_URL);
    const received: DecisionInvalidation[] = [];
    await subscriber.subscribe(invalidationChannel(prefix));
    subscriber.on('message', (_channel, message) => received.push(JSON.parse(message) as DecisionInvalidation));

    await sync.waitUntilApplied(await sync.revokeResourceRole(grant), WAIT);
    await new Promise((resolve) => setTimeout(resolve, 50));
    subscriber.disconnect();

    expect(emulator.requestLog().filter((entry) => entry.fault === 'lose_response')).toHaveLength(1);
    expect(received).toContainEqual({ kind: 'membership', organizationMembershipId: membershipId });
    const remaining = await workos.authorization.listRoleAssignments({ organizationMembershipId: membershipId });
    expect(remaining.data.filter((assignment) => assignment.resource.externalId === 'ws1')).toEqual([]);
  });

  it('runs removals before creates', async () => {
    fixture = await setupSync({}, {});
    await fixture.worker.close();
    const { sync } = fixture;
    await sync.upsertOrganization({ id: 'acme', name: 'Acme' });
    for (let i = 0; i < 5; i++) {
      await sync.signUpUser({ userId: `bulk${i}`, email: `bulk${i}@example.com`, organizationId: 'acme' });
    }
    await sync.deleteUser({ userId: 'gone' });

    const order: string[] = [];
    const worker = fixture.startWorker({ concurrency: 1 });
    worker.on('applied', (event) => order.push(event.entity));
    await expect.poll(() => sync.store.laggingCount(), { timeout: 10_000 }).toBe(0);

    expect(order[0]).toBe('u:gone');
  });

  it('pauses the queue on 401', async () => {
    fixture = await setupSync();
    await fixture.worker.close();
    const workos = createWorkOS({ apiKey: 'sk_test_wrong', baseUrl: fixture.emulator.url });
    const worker = createSyncWorker({ workos, connection: REDIS_URL, prefix: fixture.prefix, ...FAST_RETRIES });
    const paused = new Promise<string>((resolve) => worker.once('paused', (event) => resolve(event.reason)));

    await fixture.sync.upsertOrganization({ id: 'acme', name: 'Acme' });

    expect(await paused).toMatch(/401/);
    await worker.close();
    const retry = fixture.startWorker();
    await retry.resume();
    await expect.poll(() => fixture.sync.store.laggingCount(), { timeout: 10_000 }).toBe(0);
  });

  it('sweeps a change whose job was lost', async () => {
    fixture = await setupSync({ sweepAfterMs: 0 });
    const { sync, worker, workos } = fixture;
    const ticket = await sync.recordChange(
      { operation: 'test', priority: 10, operations: [{ e: 'o:acme', exists: '1', data: JSON.stringify({ name: 'Acme' }) }] },
      { enqueue: false },
    );

    expect(await worker.sweep()).toBe(1);
    await sync.waitUntilApplied(ticket, WAIT);
    expect((await workos.organizations.getOrganizationByExternalId('acme')).name).toBe('Acme');
  });
});
