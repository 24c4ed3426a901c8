import { bench, describe } from 'vitest';
import type { Membership, Resource } from '../src/entities.js';
import { check } from '../src/engine.js';
import { startEmulator, type Seed, type SeedResource } from '../src/index.js';
import { stateFromSeed } from '../src/seed-state.js';
import type { State } from '../src/state.js';

/**
 * A check must cost the depth of the resource plus the grants of the
 * membership, not the size of the environment. These cases keep depth (4) and
 * grants (3) fixed and grow the environment a thousandfold.
 */
function buildEnvironment(workspaces: number, otherMemberships: number): { state: State; membership: Membership; target: Resource } {
  const { state } = stateFromSeed({
    resource_types: [{ slug: 'folder', parents: ['organization', 'folder'] }],
    permissions: [{ slug: 'folder:read', resource_type_slug: 'folder' }],
    roles: [
      { slug: 'member', is_default_role: true },
      { slug: 'folder-reader', resource_type_slug: 'folder', permissions: ['folder:read'] },
    ],
    users: [{ email: 'bench@example.test' }],
    organizations: [{ name: 'Bench', memberships: [{ email: 'bench@example.test' }] }],
  });
  const [organization] = state.organizations.values();
  const [membership] = state.memberships.values();
  const root = state.rootResourceOf(organization!.id)!;
  const now = new Date().toISOString();

  let counter = 0;
  const addFolder = (parentId: string): Resource => {
    counter += 1;
    const resource: Resource = {
      id: `authz_resource_${counter}`,
      external_id: `folder-${counter}`,
      name: `Folder ${counter}`,
      description: null,
      resource_type_slug: 'folder',
      organization_id: organization!.id,
      parent_id: parentId,
      created_at: now,
      updated_at: now,
    };
    state.addResource(resource);
    return resource;
  };

  let target = root;
  for (let index = 0; index < workspaces; index += 1) {
    const top = addFolder(root.id);
    const middle = addFolder(top.id);
    const leaf = addFolder(middle.id);
    if (index === workspaces - 1) {
      target = addFolder(leaf.id);
    }
  }

  for (let index = 0; index < otherMemberships; index += 1) {
    state.addMembership({ ...membership!, id: `om_other_${index}`, user_id: `user_other_${index}` });
    state.addAssignment({ id: `ra_other_${index}`, organization_membership_id: `om_other_${index}`, role_slug: 'folder-reader', resource_id: target.id, created_at: now, updated_at: now });
  }

  // Three grants: two on unrelated folders, the last one on the target's top ancestor.
  const ancestors = state.ancestry(target);
  const grantOn = (resourceId: string, index: number): void =>
    state.addAssignment({ id: `ra_bench_${index}`, organization_membership_id: membership!.id, role_slug: 'folder-reader', resource_id: resourceId, created_at: now, updated_at: now });
  grantOn('authz_resource_1', 1);
  grantOn('authz_resource_2', 2);
  grantOn(ancestors[ancestors.length - 2]!.id, 3);
  return { state, membership: membership!, target };
}

describe('check cost', () => {
  const small = buildEnvironment(10, 10);
  const large = buildEnvironment(10_000, 10_000);

  bench('40 resources, 11 memberships', () => {
    check(small.state, small.membership, 'folder:read', small.target);
  });

  bench('40,000 resources, 10,001 memberships', () => {
    check(large.state, large.membership, 'folder:read', large.target);
  });
});

/** Builds a seed with `folders` top-level folders, each three levels deep, and one membership holding a role on the last chain. */
function seedWith(folders: number): Seed {
  const resources: SeedResource[] = [];
  for (let index = 0; index < folders; index += 1) {
    resources.push({ resource_type_slug: 'folder', external_id: `top-${index}` });
    resources.push({ resource_type_slug: 'folder', external_id: `middle-${index}`, parent: { resource_type_slug: 'folder', external_id: `top-${index}` } });
    resources.push({ resource_type_slug: 'folder', external_id: `leaf-${index}`, parent: { resource_type_slug: 'folder', external_id: `middle-${index}` } });
  }
  return {
    resource_types: [{ slug: 'folder', parents: ['organization', 'folder'] }],
    permissions: [{ slug: 'folder:read', resource_type_slug: 'folder' }],
    roles: [
      { slug: 'member', is_default_role: true },
      { slug: 'folder-reader', resource_type_slug: 'folder', permissions: ['folder:read'] },
    ],
    users: [{ email: 'bench@example.test' }],
    organizations: [
      {
        name: 'Bench',
        resources,
        memberships: [
          {
            email: 'bench@example.test',
            role_assignments: [{ role: 'folder-reader', resource_type_slug: 'folder', resource_external_id: `top-${folders - 1}` }],
          },
        ],
      },
    ],
  };
}

async function checkRequest(folders: number): Promise<() => Promise<void>> {
  const emulator = await startEmulator({ port: 0, seed: seedWith(folders) });
  const membershipId = emulator.snapshot().memberships[0]!.id;
  const url = `${emulator.url}/authorization/organization_memberships/${membershipId}/check`;
  const body = JSON.stringify({ permission_slug: 'folder:read', resource_type_slug: 'folder', resource_external_id: `leaf-${folders - 1}` });
  return async () => {
    const response = await fetch(url, { method: 'POST', body, headers: { Authorization: `Bearer ${emulator.apiKey}`, 'Content-Type': 'application/json' } });
    await response.json();
  };
}

describe('check over HTTP', async () => {
  const small = await checkRequest(10);
  const large = await checkRequest(10_000);

  bench('30 resources', small);
  bench('30,000 resources', large);
});
