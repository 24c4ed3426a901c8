import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenericServerException, RateLimitExceededException } from '@workos-inc/node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SeedError, startEmulator, type Emulator, type Seed } from '../src/index.js';
import { clientFor, EXAMPLE_SEED, rawRequest, specValidator } from './helpers.js';

const running: Emulator[] = [];

async function start(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  const emulator = await startEmulator({ port: 0, seed: EXAMPLE_SEED, ...options });
  running.push(emulator);
  return emulator;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

afterAll(() => {
  expect(specValidator.violations).toEqual([]);
});

describe('seed loading', () => {
  it('names the entry and the problem', async () => {
    const seed = {
      permissions: [{ slug: 'doc:read', resource_type_slug: 'document' }],
      roles: [{ slug: 'reader', permissions: ['doc:write'] }],
    } as Seed;
    const failure = startEmulator({ port: 0, seed });
    await expect(failure).rejects.toBeInstanceOf(SeedError);
    await expect(failure).rejects.toThrow(/permissions\[0\] \(slug "doc:read"\): resource_type_slug "document" is not a defined resource type/);
    await expect(failure).rejects.toThrow(/roles\[0\] \(slug "reader"\): permission "doc:write" is not defined in permissions/);
  });

  it('reads JSON files and seeded organizations', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'fgakit-seed-'));
    const file = join(directory, 'seed.json');
    const seed: Seed = {
      resource_types: [{ slug: 'doc', parents: ['organization'] }],
      permissions: [{ slug: 'doc:read', resource_type_slug: 'doc' }],
      roles: [
        { slug: 'member', is_default_role: true },
        { slug: 'doc-reader', resource_type_slug: 'doc', permissions: ['doc:read'] },
      ],
      users: [{ email: 'seeded@example.test' }],
      organizations: [
        {
          name: 'Seeded',
          external_id: 'seeded',
          resources: [{ resource_type_slug: 'doc', external_id: 'd1' }],
          memberships: [{ email: 'seeded@example.test', role_assignments: [{ role: 'doc-reader', resource_type_slug: 'doc', resource_external_id: 'd1' }] }],
        },
      ],
    };
    await writeFile(file, JSON.stringify(seed));
    const emulator = await start({ seed: file });
    const workos = clientFor(emulator);

    const organization = await workos.organizations.getOrganizationByExternalId('seeded');
    const [membership] = (await workos.userManagement.listOrganizationMemberships({ organizationId: organization.id })).data;
    const result = await workos.authorization.check({
      organizationMembershipId: membership!.id,
      permissionSlug: 'doc:read',
      resourceExternalId: 'd1',
      resourceTypeSlug: 'doc',
    });
    expect(membership!.role.slug).toBe('member');
    expect(result.authorized).toBe(true);
  });
});

describe('shipped seeds', () => {
  it('loads the workspaces seed', async () => {
    const emulator = await start({ seed: fileURLToPath(new URL('../seeds/workspaces.yaml', import.meta.url)) });
    const workos = clientFor(emulator);
    const organization = await workos.organizations.getOrganizationByExternalId('acme');
    const memberships = (await workos.userManagement.listOrganizationMemberships({ organizationId: organization.id })).data;
    const membershipOf = async (externalId: string) => {
      const user = await workos.userManagement.getUserByExternalId(externalId);
      return memberships.find((membership) => membership.userId === user.id)!.id;
    };
    const check = async (externalId: string, permissionSlug: string) =>
      (
        await workos.authorization.check({
          organizationMembershipId: await membershipOf(externalId),
          permissionSlug,
          resourceExternalId: 'handbook',
          resourceTypeSlug: 'project',
        })
      ).authorized;

    expect(await check('u-ada', 'project:edit')).toBe(true);
    expect(await check('u-grace', 'project:edit')).toBe(true);
    expect(await check('u-linus', 'project:view')).toBe(true);
    expect(await check('u-linus', 'project:edit')).toBe(false);
  });
});

describe('request log, reset and faults', () => {
  it('counts check calls', async () => {
    const emulator = await start();
    const workos = clientFor(emulator);
    const organization = await workos.organizations.createOrganization({ name: 'Log' });
    const user = await workos.userManagement.createUser({ email: 'log@example.test' });
    const membership = await workos.userManagement.createOrganizationMembership({ organizationId: organization.id, userId: user.id });
    const workspace = await workos.authorization.createResource({ organizationId: organization.id, resourceTypeSlug: 'workspace', externalId: 'w', name: 'W' });
    emulator.clearRequestLog();

    await workos.authorization.check({ organizationMembershipId: membership.id, permissionSlug: 'workspace:view', resourceId: workspace.id });
    await workos.authorization.check({ organizationMembershipId: membership.id, permissionSlug: 'workspace:edit', resourceId: workspace.id });

    const checks = emulator.requestLog().filter((entry) => entry.route === 'POST /authorization/organization_memberships/:id/check');
    expect(checks).toHaveLength(2);
    expect(checks[0]).toMatchObject({ method: 'POST', status: 200, fault: null });
    expect(checks[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reset restores the seeded state', async () => {
    const emulator = await start();
    const workos = clientFor(emulator);
    await workos.organizations.createOrganization({ name: 'Temporary' });
    await emulator.reset();
    const organizations = await workos.organizations.listOrganizations();
    expect(organizations.data).toEqual([]);
  });

  it('injects 429 for the next request and the SDK retries', async () => {
    const emulator = await start();
    const workos = clientFor(emulator, { maxRetries: 2 });
    emulator.addFault({ kind: 'rate_limit', method: 'GET', path: '/organizations', times: 1, retryAfterSeconds: 0 });

    const organizations = await workos.organizations.listOrganizations();
    expect(organizations.data).toEqual([]);
    expect(emulator.requestLog().map((entry) => entry.status)).toEqual([429, 200]);
    expect(emulator.faults()).toEqual([]);
  });

  it('surfaces rate limits and server errors as SDK exceptions', async () => {
    const emulator = await start();
    const workos = clientFor(emulator);
    const rule = emulator.addFault({ kind: 'rate_limit', path: '/organizations', retryAfterSeconds: 7 });
    await expect(workos.organizations.listOrganizations()).rejects.toMatchObject({ constructor: RateLimitExceededException, retryAfter: 7 });
    emulator.removeFault(rule.id);

    emulator.addFault({ kind: 'error', status: 503, path: '/organizations/**', times: 1 });
    await expect(workos.organizations.getOrganization('org_x')).rejects.toMatchObject({ constructor: GenericServerException, status: 503 });
  });

  it('drops connections and hangs requests', async () => {
    const emulator = await start();
    const workos = clientFor(emulator, { timeout: 300 });
    emulator.addFault({ kind: 'drop', times: 1 });
    await expect(workos.organizations.listOrganizations()).rejects.toThrow();

    emulator.addFault({ kind: 'hang', times: 1 });
    const started = Date.now();
    await expect(workos.organizations.listOrganizations()).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('applies a request whose response it loses', async () => {
    const emulator = await start();
    const workos = clientFor(emulator, { maxRetries: 0 });
    emulator.addFault({ kind: 'lose_response', method: 'POST', path: '/organizations', times: 1 });

    await expect(workos.organizations.createOrganization({ name: 'Lost', externalId: 'lost' })).rejects.toThrow();

    expect((await workos.organizations.getOrganizationByExternalId('lost')).name).toBe('Lost');
    expect(emulator.requestLog()[0]).toMatchObject({ fault: 'lose_response', status: null });
  });

  it('adds latency', async () => {
    const emulator = await start();
    const workos = clientFor(emulator);
    emulator.addFault({ kind: 'latency', latencyMs: 150, times: 1 });
    await workos.organizations.listOrganizations();
    expect(emulator.requestLog()[0]!.durationMs).toBeGreaterThanOrEqual(140);
  });

  it('serves the admin API', async () => {
    const emulator = await start();
    const workos = clientFor(emulator);
    const created = await fetch(`${emulator.url}/_fgakit/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'error', status: 502, path: '/organizations', times: 1 }),
    });
    expect(created.status).toBe(201);
    await expect(workos.organizations.listOrganizations()).rejects.toMatchObject({ status: 502 });

    const log = (await (await fetch(`${emulator.url}/_fgakit/requests`)).json()) as { data: { status: number }[] };
    expect(log.data.map((entry) => entry.status)).toEqual([502]);
    expect((await fetch(`${emulator.url}/_fgakit/requests`, { method: 'DELETE' })).status).toBe(204);
    expect(emulator.requestLog()).toEqual([]);

    const invalid = await fetch(`${emulator.url}/_fgakit/faults`, { method: 'POST', body: JSON.stringify({ kind: 'explode' }) });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('content-type')).toContain('application/json');

    await workos.organizations.createOrganization({ name: 'Gone after reset' });
    expect((await fetch(`${emulator.url}/_fgakit/reset`, { method: 'POST' })).status).toBe(204);
    expect((await workos.organizations.listOrganizations()).data).toEqual([]);
  });

  it('explains a check', async () => {
    const emulator = await start();
    const workos = clientFor(emulator);
    const organization = await workos.organizations.createOrganization({ name: 'Explain' });
    const user = await workos.userManagement.createUser({ email: 'explain@example.test' });
    const membership = await workos.userManagement.createOrganizationMembership({ organizationId: organization.id, userId: user.id });
    const workspace = await workos.authorization.createResource({ organizationId: organization.id, resourceTypeSlug: 'workspace', externalId: 'w', name: 'W' });
    const project = await workos.authorization.createResource({ organizationId: organization.id, resourceTypeSlug: 'project', externalId: 'p', name: 'P', parentResourceId: workspace.id });
    const assignment = await workos.authorization.assignRole({ organizationMembershipId: membership.id, roleSlug: 'workspace-viewer', resourceId: workspace.id });

    const query = new URLSearchParams({ organization_membership_id: membership.id, permission_slug: 'project:view', resource_type_slug: 'project', resource_external_id: 'p' });
    const response = await fetch(`${emulator.url}/_fgakit/explain?${query.toString()}`);
    const explanation = (await response.json()) as { authorized: boolean; grant: { role_slug: string; role_assignment_id: string; resource: { id: string } } };
    expect(explanation.authorized).toBe(true);
    expect(explanation.grant).toMatchObject({ role_slug: 'workspace-viewer', role_assignment_id: assignment.id, resource: { id: workspace.id } });

    const denied = emulator.explain({ organization_membership_id: membership.id, permission_slug: 'project:edit', resource_id: project.id });
    expect(denied).toMatchObject({ authorized: false, reason: 'no_matching_grant', grant: null });
    expect(denied.ancestry.map((resource) => resource.resource_type_slug)).toEqual(['project', 'workspace', 'organization']);
  });

  it('idempotency key replays the first response', async () => {
    const emulator = await start();
    const headers = { 'Idempotency-Key': 'create-acme' };
    const first = await rawRequest(emulator, 'POST', '/organizations', { name: 'Acme' }, headers);
    const second = await rawRequest(emulator, 'POST', '/organizations', { name: 'Acme' }, headers);
    expect(second.status).toBe(201);
    expect(await second.json()).toEqual(await first.json());
    expect(emulator.snapshot().organizations).toHaveLength(1);

    const different = await rawRequest(emulator, 'POST', '/organizations', { name: 'Other' }, headers);
    expect(different.status).toBe(400);
    expect(await different.json()).toMatchObject({ code: 'idempotency_key_reused' });
  });
});
