import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundException, type WorkOS } from '@workos-inc/node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SeedError, startEmulator, type Emulator, type EmulatorSettings, type Seed } from '../src/index.js';
import { clientFor, specValidator } from './helpers.js';

function seedWith(settings: Partial<EmulatorSettings>): Seed {
  return {
    settings,
    resource_types: [
      { slug: 'workspace', parents: ['organization'] },
      { slug: 'project', parents: ['workspace'] },
    ],
    permissions: [
      { slug: 'project:view', resource_type_slug: 'project' },
      { slug: 'workspace:view', resource_type_slug: 'workspace' },
    ],
    roles: [
      { slug: 'member', is_default_role: true },
      { slug: 'viewer', permissions: ['workspace:view', 'project:view'] },
      { slug: 'workspace-viewer', resource_type_slug: 'workspace', permissions: ['workspace:view', 'project:view'] },
    ],
    users: [{ email: 'ada@example.test' }, { email: 'bob@example.test' }],
    organizations: [
      {
        name: 'Acme',
        external_id: 'acme',
        resources: [
          { resource_type_slug: 'workspace', external_id: 'ws' },
          { resource_type_slug: 'project', external_id: 'p', parent: { resource_type_slug: 'workspace', external_id: 'ws' } },
        ],
        memberships: [
          { email: 'ada@example.test', role: 'viewer' },
          { email: 'bob@example.test', role_assignments: [{ role: 'workspace-viewer', resource_type_slug: 'workspace', resource_external_id: 'ws' }] },
        ],
        groups: [{ name: 'Everyone', members: ['ada@example.test', 'bob@example.test'], role_assignments: [{ role: 'viewer' }] }],
      },
    ],
  };
}

interface Fixture {
  emulator: Emulator;
  workos: WorkOS;
  ada: string;
  bob: string;
  organizationId: string;
}

const running: Emulator[] = [];

async function start(settings: Partial<EmulatorSettings>, dataFile?: string): Promise<Fixture> {
  const emulator = await startEmulator({ port: 0, seed: seedWith(settings), ...(dataFile === undefined ? {} : { dataFile }) });
  running.push(emulator);
  const snapshot = emulator.snapshot();
  const membershipOf = (email: string): string => {
    const user = snapshot.users.find((entry) => entry.email === email)!;
    return snapshot.memberships.find((entry) => entry.user_id === user.id)!.id;
  };
  return { emulator, workos: clientFor(emulator), ada: membershipOf('ada@example.test'), bob: membershipOf('bob@example.test'), organizationId: snapshot.organizations[0]!.id };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

afterAll(() => {
  expect(specValidator.violations).toEqual([]);
});

describe('settings', () => {
  it('top_level_parent_id root returns the root id', async () => {
    const { workos, organizationId } = await start({ top_level_parent_id: 'root' });
    const workspace = await workos.authorization.getResourceByExternalId({ organizationId, resourceTypeSlug: 'workspace', externalId: 'ws' });
    const root = await workos.authorization.getResourceByExternalId({ organizationId, resourceTypeSlug: 'organization', externalId: 'acme' });
    expect(workspace.parentResourceId).toBe(root.id);
  });

  it('inactive_memberships_authorized evaluates deactivated memberships', async () => {
    for (const [setting, expected] of [
      [false, false],
      [true, true],
    ] as const) {
      const { workos, ada, emulator } = await start({ inactive_memberships_authorized: setting });
      await workos.userManagement.deactivateOrganizationMembership(ada);
      const result = await workos.authorization.check({ organizationMembershipId: ada, permissionSlug: 'project:view', resourceExternalId: 'p', resourceTypeSlug: 'project' });
      expect(result.authorized).toBe(expected);
      await emulator.close();
    }
  });

  it('unknown_permission error answers 404', async () => {
    const { workos, ada } = await start({ unknown_permission: 'error' });
    await expect(
      workos.authorization.check({ organizationMembershipId: ada, permissionSlug: 'nope:nothing', resourceExternalId: 'p', resourceTypeSlug: 'project' }),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('discovery direct ignores inherited grants', async () => {
    const list = async (settings: Partial<EmulatorSettings>, membership: 'ada' | 'bob', parent: string): Promise<string[]> => {
      const fixture = await start(settings);
      await fixture.workos.groups.deleteGroup({ organizationId: fixture.organizationId, groupId: fixture.emulator.snapshot().groups![0]!.id });
      const result = await fixture.workos.authorization.listResourcesForMembership({
        organizationMembershipId: fixture[membership],
        permissionSlug: 'project:view',
        parentResourceTypeSlug: 'workspace',
        parentResourceExternalId: parent,
      });
      return result.data.map((resource) => resource.externalId);
    };

    // Ada's organization role reaches the project only through inheritance.
    expect(await list({ discovery: 'inherited' }, 'ada', 'ws')).toEqual(['p']);
    expect(await list({ discovery: 'direct' }, 'ada', 'ws')).toEqual([]);

    // Bob's role sits on the parent workspace, which direct discovery counts.
    expect(await list({ discovery: 'direct' }, 'bob', 'ws')).toEqual(['p']);
  });

  it('max_depth limits seeded hierarchies', async () => {
    const { workos, organizationId } = await start({ max_depth: 2 });
    await expect(
      workos.authorization.createResource({ organizationId, resourceTypeSlug: 'project', externalId: 'p2', name: 'P2', parentResourceExternalId: 'ws', parentResourceTypeSlug: 'workspace' }),
    ).resolves.toMatchObject({ externalId: 'p2' });
    await expect(startEmulator({ port: 0, seed: seedWith({ max_depth: 1 }) })).rejects.toThrow(
      /resources\[1\]: it would sit 2 levels below the organization, more than max_depth 1/,
    );
  });

  it('rejects unknown settings and bad groups in the seed', async () => {
    const seed = seedWith({});
    (seed.settings as Record<string, unknown>).colour = 'blue';
    seed.organizations![0]!.groups = [{ name: 'Ghosts', members: ['nobody@example.test'], role_assignments: [{ role: 'workspace-viewer' }] }];
    const failure = startEmulator({ port: 0, seed });
    await expect(failure).rejects.toBeInstanceOf(SeedError);
    await expect(failure).rejects.toThrow(/settings\.colour: unknown setting/);
    await expect(failure).rejects.toThrow(/groups\[0\] \(name "Ghosts"\): member "nobody@example.test" must be the email of a membership/);
    await expect(failure).rejects.toThrow(/groups\[0\] \(name "Ghosts"\)\.role_assignments\[0\]: role "workspace-viewer" applies to "workspace" resources, not "organization"/);
  });
});

describe('resource type validation', () => {
  it('rejects types that cannot reach the organization', async () => {
    const seed = {
      resource_types: [
        { slug: 'loop1', name: 'Loop 1', parents: ['loop2'] },
        { slug: 'loop2', name: 'Loop 2', parents: ['loop1'] },
        { slug: 'folder', name: 'Folder', parents: ['organization', 'folder'] },
      ],
    };

    const failure = startEmulator({ port: 0, seed });

    await expect(failure).rejects.toBeInstanceOf(SeedError);
    await expect(failure).rejects.toThrow(/slug "loop1"\): no chain of parent types leads to organization/);
    await expect(failure).rejects.toThrow(/slug "loop2"\): no chain of parent types leads to organization/);
    await expect(failure).rejects.not.toThrow(/slug "folder"/);
  });

  it('reports every bad seeded resource', async () => {
    const seed = {
      resource_types: [{ slug: 'workspace', name: 'Workspace', parents: ['organization'] }],
      organizations: [
        {
          name: 'Acme',
          resources: [
            { resource_type_slug: 'workspace', external_id: 'w1', name: 'W1', parent: { resource_type_slug: 'workspace', external_id: 'later' } },
            { resource_type_slug: 'workspace', external_id: 'w2', name: 'W2' },
            { resource_type_slug: 'workspace', external_id: 'w2', name: 'W2 again' },
          ],
        },
      ],
    };

    const failure = startEmulator({ port: 0, seed });

    await expect(failure).rejects.toThrow(/resources\[0\]: parent workspace\/later must be listed before it/);
    await expect(failure).rejects.toThrow(/resources\[2\]: workspace\/w2 is listed twice/);
  });
});

describe('groups from the seed', () => {
  it('survive the data file and cascade', async () => {
    const dataFile = join(await mkdtemp(join(tmpdir(), 'fgakit-groups-')), 'state.json');
    const first = await start({}, dataFile);
    await first.emulator.close();

    const second = await start({}, dataFile);
    const check = () =>
      second.workos.authorization
        .check({ organizationMembershipId: second.ada, permissionSlug: 'workspace:view', resourceExternalId: 'ws', resourceTypeSlug: 'workspace' })
        .then((result) => result.authorized);
    const assignments = await second.workos.authorization.listRoleAssignments({ organizationMembershipId: second.ada });
    expect(assignments.data.map((assignment) => assignment.source.type)).toEqual(['group']);
    expect(await check()).toBe(true);

    await second.workos.userManagement.updateOrganizationMembership(second.ada, { roleSlug: 'member' });
    expect(await check()).toBe(true);
    const [group] = second.emulator.snapshot().groups!;
    await second.workos.groups.removeOrganizationMembership({ organizationId: second.organizationId, groupId: group!.id, organizationMembershipId: second.ada });
    expect(await check()).toBe(false);
  });
});
