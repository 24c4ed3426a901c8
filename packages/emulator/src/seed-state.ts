import type { Group, Membership, Organization, Permission, Resource, Role, RoleAssignment, User } from './entities.js';
import { normalizeFaultRule, type FaultRule } from './faults.js';
import { newId } from './ids.js';
import type { Seed, SeedGroup, SeedOrganization, SeedRole } from './seed.js';
import { DEFAULT_SETTINGS } from './settings.js';
import { State, timestamp } from './state.js';

/** Builds a state from a validated seed and returns it with the seed's fault rules. */
export function stateFromSeed(seed: Seed): { state: State; faults: FaultRule[] } {
  const state = new State();
  const now = timestamp();
  state.settings = { ...DEFAULT_SETTINGS, ...seed.settings };

  for (const type of seed.resource_types ?? []) {
    state.resourceTypes.set(type.slug, { slug: type.slug, name: type.name ?? type.slug, parents: type.parents ?? ['organization'] });
  }

  for (const entry of seed.permissions ?? []) {
    const permission: Permission = {
      id: newId('perm'),
      slug: entry.slug,
      name: entry.name ?? entry.slug,
      description: entry.description ?? null,
      resource_type_slug: entry.resource_type_slug ?? 'organization',
      system: false,
      created_at: now,
      updated_at: now,
    };
    state.addPermission(permission);
  }

  const customRoles: SeedRole[] = [];
  for (const entry of seed.roles ?? []) {
    if (entry.organization_id !== undefined) {
      customRoles.push(entry);
      continue;
    }
    state.addRole(roleFromSeed(entry, null, now));
    if (entry.is_default_role === true) {
      state.defaultRoleSlug = entry.slug;
    }
  }
  if (state.defaultRoleSlug === null && state.environmentRoles.has('member')) {
    state.defaultRoleSlug = 'member';
  }

  const usersByKey = new Map<string, User>();
  for (const entry of seed.users ?? []) {
    const user: User = {
      id: entry.id ?? newId('user'),
      email: entry.email.trim(),
      email_verified: entry.email_verified ?? false,
      first_name: entry.first_name ?? null,
      last_name: entry.last_name ?? null,
      name: null,
      profile_picture_url: null,
      locale: null,
      external_id: entry.external_id ?? null,
      metadata: entry.metadata ?? {},
      created_at: now,
      updated_at: now,
    };
    state.addUser(user);
    usersByKey.set(user.email.toLowerCase(), user);
    usersByKey.set(user.id, user);
  }

  for (const entry of seed.organizations ?? []) {
    seedOrganization(state, entry, usersByKey, now);
  }
  for (const entry of customRoles) {
    state.addRole(roleFromSeed(entry, entry.organization_id ?? null, now));
  }

  const faults = (seed.faults ?? []).map((fault, index) => normalizeFaultRule(fault, `faults[${index}]`));
  return { state, faults };
}

function roleFromSeed(entry: SeedRole, organizationId: string | null, now: string): Role {
  return {
    id: newId('role'),
    slug: entry.slug,
    name: entry.name ?? entry.slug,
    description: entry.description ?? null,
    type: organizationId === null ? 'EnvironmentRole' : 'OrganizationRole',
    organization_id: organizationId,
    resource_type_slug: entry.resource_type_slug ?? 'organization',
    permissions: [...new Set(entry.permissions ?? [])],
    created_at: now,
    updated_at: now,
  };
}

function seedOrganization(state: State, entry: SeedOrganization, usersByKey: Map<string, User>, now: string): void {
  const organization: Organization = {
    id: entry.id ?? newId('org'),
    name: entry.name,
    external_id: entry.external_id ?? null,
    metadata: entry.metadata ?? {},
    domains: (entry.domains ?? []).map((domain) => ({
      id: newId('org_domain'),
      domain: typeof domain === 'string' ? domain : domain.domain,
      state: typeof domain === 'string' ? 'verified' : (domain.state ?? 'verified'),
      created_at: now,
      updated_at: now,
    })),
    stripe_customer_id: null,
    created_at: now,
    updated_at: now,
  };
  const root = state.addOrganization(organization);

  for (const resourceEntry of entry.resources ?? []) {
    const parent =
      resourceEntry.parent === undefined
        ? root
        : state.findResourceByExternalId(organization.id, resourceEntry.parent.resource_type_slug, resourceEntry.parent.external_id);
    const resource: Resource = {
      id: newId('authz_resource'),
      external_id: resourceEntry.external_id,
      name: resourceEntry.name ?? resourceEntry.external_id,
      description: resourceEntry.description ?? null,
      resource_type_slug: resourceEntry.resource_type_slug,
      organization_id: organization.id,
      parent_id: parent?.id ?? root.id,
      created_at: now,
      updated_at: now,
    };
    state.addResource(resource);
  }

  for (const membershipEntry of entry.memberships ?? []) {
    const key = membershipEntry.email ?? membershipEntry.user_id ?? '';
    const user = usersByKey.get(key.includes('@') ? key.trim().toLowerCase() : key);
    if (user === undefined) {
      continue;
    }
    const slugs = membershipEntry.roles ?? (membershipEntry.role === undefined ? [] : [membershipEntry.role]);
    const defaultRole = state.defaultRoleFor(organization.id);
    let roleSlugs = slugs;
    if (roleSlugs.length === 0) {
      roleSlugs = defaultRole === null ? [] : [defaultRole];
    }
    const membership: Membership = {
      id: newId('om'),
      user_id: user.id,
      organization_id: organization.id,
      status: membershipEntry.status ?? 'active',
      role_slugs: roleSlugs,
      created_at: now,
      updated_at: now,
    };
    state.addMembership(membership);

    for (const assignmentEntry of membershipEntry.role_assignments ?? []) {
      const resource = state.findResourceByExternalId(organization.id, assignmentEntry.resource_type_slug, assignmentEntry.resource_external_id);
      if (resource === undefined) {
        continue;
      }
      const assignment: RoleAssignment = {
        id: newId('role_assignment'),
        organization_membership_id: membership.id,
        role_slug: assignmentEntry.role,
        resource_id: resource.id,
        created_at: now,
        updated_at: now,
      };
      state.addAssignment(assignment);
    }
  }

  for (const groupEntry of entry.groups ?? []) {
    seedGroup(state, organization.id, groupEntry, usersByKey, now);
  }
}

function seedGroup(state: State, organizationId: string, entry: SeedGroup, usersByKey: Map<string, User>, now: string): void {
  const group: Group = {
    id: newId('group'),
    organization_id: organizationId,
    name: entry.name,
    description: entry.description ?? null,
    created_at: now,
    updated_at: now,
  };
  state.addGroup(group);

  for (const assignmentEntry of entry.role_assignments ?? []) {
    const resource =
      assignmentEntry.resource_type_slug === undefined || assignmentEntry.resource_type_slug === 'organization'
        ? state.rootResourceOf(organizationId)
        : state.findResourceByExternalId(organizationId, assignmentEntry.resource_type_slug, assignmentEntry.resource_external_id ?? '');
    if (resource !== undefined) {
      state.addGroupAssignment({ id: newId('gra'), group_id: group.id, role_slug: assignmentEntry.role, resource_id: resource.id, created_at: now, updated_at: now });
    }
  }

  for (const email of entry.members ?? []) {
    const user = usersByKey.get(email.trim().toLowerCase());
    const membership = user === undefined ? undefined : state.findMembership(user.id, organizationId);
    if (membership !== undefined) {
      state.addGroupMember(group.id, membership.id, now);
    }
  }
}
