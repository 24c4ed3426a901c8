import type { Seed, SeedMembership, SeedResource, SeedUser } from '@fgakit/emulator';

/** External id of the organization every benchmark environment contains. */
export const ORGANIZATION = 'bench-org';

/** External ids of the users in the workspaces environment. */
export const VIEWER = 'bench-viewer';
export const ADMIN = 'bench-admin';

/** Returns the external id of the workspace with this index, for example `ws-007`. */
export function workspaceId(index: number): string {
  return `ws-${String(index).padStart(3, '0')}`;
}

/**
 * Returns whether the viewer has `workspace-viewer` on this workspace. One
 * workspace in three, so that list filtering keeps some items and drops others.
 */
export function viewerCanSee(index: number): boolean {
  return index % 3 === 0;
}

/**
 * Builds the environment of the guard, check and list benchmarks: one
 * organization with `workspaces` top-level workspaces, a viewer with
 * `workspace-viewer` on one workspace in three, and an admin whose
 * organization role grants every workspace permission.
 */
export function workspacesSeed(workspaces: number): Seed {
  const resources: SeedResource[] = Array.from({ length: workspaces }, (_, index) => ({
    resource_type_slug: 'workspace',
    external_id: workspaceId(index),
  }));
  const viewerAssignments = resources
    .filter((_, index) => viewerCanSee(index))
    .map((resource) => ({ role: 'workspace-viewer', resource_type_slug: 'workspace', resource_external_id: resource.external_id }));

  return {
    resource_types: [{ slug: 'workspace', name: 'Workspace', parents: ['organization', 'workspace'] }],
    permissions: [
      { slug: 'workspace:view', resource_type_slug: 'workspace' },
      { slug: 'workspace:edit', resource_type_slug: 'workspace' },
    ],
    roles: [
      { slug: 'member', is_default_role: true, permissions: [] },
      { slug: 'admin', permissions: ['workspace:view', 'workspace:edit'] },
      { slug: 'workspace-viewer', resource_type_slug: 'workspace', permissions: ['workspace:view'] },
    ],
    users: [
      { email: 'viewer@bench.test', external_id: VIEWER },
      { email: 'admin@bench.test', external_id: ADMIN },
    ],
    organizations: [
      {
        name: 'Bench',
        external_id: ORGANIZATION,
        resources,
        memberships: [
          { email: 'viewer@bench.test', role: 'member', role_assignments: viewerAssignments },
          { email: 'admin@bench.test', role: 'admin' },
        ],
      },
    ],
  };
}

/** Resource types of the hierarchy, top first; each is the only parent type of the next. */
export const LEVELS = ['division', 'department', 'team', 'project', 'document'] as const;

/** Size of a hierarchy environment. */
export interface HierarchySize {
  /** Total number of resources, spread over the five levels. */
  resources: number;
  memberships: number;
}

/**
 * Splits `total` resources over the five levels, growing ten-fold per level
 * while there is room, the remainder at the bottom level: 100,000 gives
 * 10, 100, 1,000, 10,000 and 88,890; 100 gives 2, 4, 8, 16 and 70.
 */
export function levelCounts(total: number): number[] {
  if (!Number.isInteger(total) || total < 23) {
    throw new RangeError(`Invalid resource count ${total}: pass an integer of at least 23, so that every level has at least one resource per parent.`);
  }

  const counts: number[] = [];
  for (let factor = 10; factor >= 2; factor--) {
    counts.length = 0;
    let level = factor;
    for (let index = 0; index < LEVELS.length - 1; index++) {
      counts.push(level);
      level *= factor;
    }
    const rest = total - counts.reduce((sum, count) => sum + count, 0);
    if (rest >= counts.at(-1)!) {
      counts.push(rest);
      return counts;
    }
  }

  counts.length = 0;
  counts.push(1, 2, 4, 8, total - 15);
  return counts;
}

/** A resource of the hierarchy named by level and index. */
export interface HierarchyNode {
  level: number;
  index: number;
}

/** Returns the type slug and external id of a hierarchy node, for example `team` and `team-17`. */
export function nodeRef(node: HierarchyNode): { type: string; externalId: string } {
  const type = LEVELS[node.level]!;
  return { type, externalId: `${type}-${node.index}` };
}

/** Returns the parent index of node `index` on `level` (level 0's parent is the organization). */
function parentIndex(counts: readonly number[], level: number, index: number): number {
  return Math.floor((index * counts[level - 1]!) / counts[level]!);
}

/**
 * Returns the first document below a node. Parents are assigned in
 * increasing order and every level is at least as large as the one above, so
 * every node has children.
 */
export function firstDocumentBelow(counts: readonly number[], node: HierarchyNode): number {
  let index = node.index;
  for (let level = node.level + 1; level < LEVELS.length; level++) {
    index = Math.ceil((index * counts[level]!) / counts[level - 1]!);
  }
  return index;
}

/** Small deterministic pseudo-random generator (mulberry32), so that every run checks the same pairs. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The hierarchy environment and, for each user, the node of its viewer role assignment. */
export interface HierarchyEnvironment {
  seed: Seed;
  counts: number[];
  /** Node of each user's role assignment, by user external id. */
  assignments: Map<string, HierarchyNode>;
}

/**
 * Builds one organization with a five-level resource hierarchy and
 * `memberships` users, each holding a viewer role on one resource of a
 * random level from division to project, which grants `document:view` on
 * every document below it.
 */
export function hierarchySeed(size: HierarchySize): HierarchyEnvironment {
  const counts = levelCounts(size.resources);
  const resources: SeedResource[] = [];

  LEVELS.forEach((type, level) => {
    for (let index = 0; index < counts[level]!; index++) {
      const resource: SeedResource = { resource_type_slug: type, external_id: `${type}-${index}` };
      if (level > 0) {
        const parent = nodeRef({ level: level - 1, index: parentIndex(counts, level, index) });
        resource.parent = { resource_type_slug: parent.type, external_id: parent.externalId };
      }
      resources.push(resource);
    }
  });

  const next = random(size.resources * 31 + size.memberships);
  const users: SeedUser[] = [];
  const memberships: SeedMembership[] = [];
  const assignments = new Map<string, HierarchyNode>();
  for (let user = 0; user < size.memberships; user++) {
    const level = Math.floor(next() * (LEVELS.length - 1));
    const node = { level, index: Math.floor(next() * counts[level]!) };
    const ref = nodeRef(node);
    const externalId = `user-${user}`;
    users.push({ email: `${externalId}@bench.test`, external_id: externalId });
    memberships.push({
      email: `${externalId}@bench.test`,
      role: 'member',
      role_assignments: [{ role: `${ref.type}-viewer`, resource_type_slug: ref.type, resource_external_id: ref.externalId }],
    });
    assignments.set(externalId, node);
  }

  const seed: Seed = {
    resource_types: LEVELS.map((type, level) => ({ slug: type, parents: [level === 0 ? 'organization' : LEVELS[level - 1]!] })),
    permissions: [{ slug: 'document:view', resource_type_slug: 'document' }],
    roles: [
      { slug: 'member', is_default_role: true, permissions: [] },
      ...LEVELS.map((type) => ({ slug: `${type}-viewer`, resource_type_slug: type, permissions: ['document:view'] })),
    ],
    users,
    organizations: [{ name: 'Bench hierarchy', external_id: ORGANIZATION, resources, memberships }],
  };
  return { seed, counts, assignments };
}
