import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Group, Membership, MembershipStatus, Organization, Permission, Resource, Role, RoleAssignment, User } from './entities.js';
import { normalizeFaultRule, type FaultRule, type FaultRuleInput } from './faults.js';
import { newId } from './ids.js';
import { DEFAULT_SETTINGS, type EmulatorSettings } from './settings.js';
import { State, timestamp } from './state.js';

/** A resource type in a seed. */
export interface SeedResourceType {
  slug: string;
  name?: string;
  /** Allowed parent type slugs; `organization` is the built-in root type. Defaults to `[organization]`. */
  parents?: string[];
}

/** A permission in a seed. */
export interface SeedPermission {
  slug: string;
  name?: string;
  description?: string | null;
  /** Resource type the permission applies to; `organization` when omitted. */
  resource_type_slug?: string;
}

/** A role in a seed: an environment role, or a custom role of one organization when `organization_id` is set. */
export interface SeedRole {
  slug: string;
  name?: string;
  description?: string | null;
  permissions?: string[];
  is_default_role?: boolean;
  /** Resource type the role is assigned on; `organization` when omitted. */
  resource_type_slug?: string;
  organization_id?: string;
}

/** A user in a seed. */
export interface SeedUser {
  id?: string;
  email: string;
  first_name?: string | null;
  last_name?: string | null;
  email_verified?: boolean;
  external_id?: string | null;
  metadata?: Record<string, string>;
  /** Accepted for compatibility with other seed files; the emulator does not authenticate users. */
  password?: string;
}

/** A role assignment of a seeded membership, on a seeded resource. */
export interface SeedRoleAssignment {
  role: string;
  resource_type_slug: string;
  resource_external_id: string;
}

/** A membership of a seeded organization. */
export interface SeedMembership {
  /** Email of a seeded user. */
  email?: string;
  /** Id of a seeded user with a pinned id, or an email. */
  user_id?: string;
  role?: string;
  roles?: string[];
  status?: MembershipStatus;
  role_assignments?: SeedRoleAssignment[];
}

/** A resource of a seeded organization. */
export interface SeedResource {
  resource_type_slug: string;
  external_id: string;
  name?: string;
  description?: string | null;
  /** Parent by type and external id; the organization's root when omitted. */
  parent?: { resource_type_slug: string; external_id: string };
}

/** An organization in a seed. */
export interface SeedOrganization {
  id?: string;
  name: string;
  external_id?: string | null;
  metadata?: Record<string, string>;
  domains?: Array<string | { domain: string; state?: 'pending' | 'verified' }>;
  resources?: SeedResource[];
  memberships?: SeedMembership[];
  groups?: SeedGroup[];
}

/** A group of a seeded organization. */
export interface SeedGroup {
  name: string;
  description?: string | null;
  /** Emails of users with a membership in the same organization. */
  members?: string[];
  /** Roles every member holds; without a resource, the role applies to the organization. */
  role_assignments?: SeedGroupRoleAssignment[];
}

/** A role assignment of a seeded group. */
export interface SeedGroupRoleAssignment {
  role: string;
  resource_type_slug?: string;
  resource_external_id?: string;
}

/**
 * A seed: the official WorkOS emulator's format (`permissions`, `roles`,
 * `users`, `organizations` with `memberships`) extended with resource types,
 * resources, role assignments, settings and fault rules.
 */
export interface Seed {
  settings?: Partial<EmulatorSettings>;
  resource_types?: SeedResourceType[];
  permissions?: SeedPermission[];
  roles?: SeedRole[];
  users?: SeedUser[];
  organizations?: SeedOrganization[];
  faults?: FaultRuleInput[];
}

/** A seed that failed validation; `problems` lists each entry and what is wrong with it. */
export class SeedError extends Error {
  readonly problems: string[];

  constructor(source: string, problems: string[]) {
    super(`Invalid seed ${source}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'SeedError';
    this.problems = problems;
  }
}

const TYPE_SLUG = /^[a-z0-9][a-z0-9_-]{0,47}$/;
const PERMISSION_SLUG = /^[a-z0-9*][a-z0-9_\-:.*]{0,47}$/;
const ROLE_SLUG = /^[a-z0-9][a-z0-9_-]{0,47}$/;
const STATUSES: readonly string[] = ['active', 'inactive', 'pending'];

/** Top-level keys of the official WorkOS emulator's seeds for features this emulator does not serve; they are ignored. */
const OFFICIAL_KEYS_IGNORED: readonly string[] = ['connections', 'pipeConnections', 'invitations', 'webhookEndpoints', 'apiKeys', 'connectApplications'];

/** Reads a seed file, YAML or JSON. */
export async function readSeedFile(path: string): Promise<Seed> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read seed file ${path}: ${(error as Error).message}`, { cause: error });
  }

  let parsed: unknown;
  try {
    parsed = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new SeedError(path, [`not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`]);
  }
  if (parsed === null || parsed === undefined) {
    return {};
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SeedError(path, ['the top level must be a mapping with keys such as permissions, roles, users and organizations']);
  }
  return parsed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listAt(seed: Record<string, unknown>, key: string, problems: string[]): Record<string, unknown>[] {
  const value = seed[key];
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    problems.push(`${key}: must be a list`);
    return [];
  }
  return value.map((entry, index) => {
    if (!isRecord(entry)) {
      problems.push(`${key}[${index}]: must be a mapping`);
      return {};
    }
    return entry;
  });
}

function label(path: string, entry: Record<string, unknown>, key: string): string {
  const value = entry[key];
  return typeof value === 'string' ? `${path} (${key} "${value}")` : path;
}

function optionalString(entry: Record<string, unknown>, key: string, where: string, problems: string[]): void {
  const value = entry[key];
  if (value !== undefined && value !== null && typeof value !== 'string') {
    problems.push(`${where}: ${key} must be a string`);
  }
}

function stringList(entry: Record<string, unknown>, key: string, where: string, problems: string[]): string[] {
  const value = entry[key];
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    problems.push(`${where}: ${key} must be a list of strings`);
    return [];
  }
  return value as string[];
}

/** Returns whether `descendant` equals `ancestor` or can sit below it in the type tree. */
function isTypeAtOrBelow(types: Map<string, string[]>, descendant: string, ancestor: string, seen = new Set<string>()): boolean {
  if (descendant === ancestor || ancestor === 'organization') {
    return true;
  }
  if (seen.has(descendant)) {
    return false;
  }
  seen.add(descendant);
  return (types.get(descendant) ?? []).some((parent) => isTypeAtOrBelow(types, parent, ancestor, seen));
}

function validateSettings(seed: Record<string, unknown>, problems: string[]): void {
  const settings = seed.settings;
  if (settings === undefined || settings === null) {
    return;
  }
  if (!isRecord(settings)) {
    problems.push('settings: must be a mapping');
    return;
  }

  const booleans = ['multiple_roles', 'inactive_memberships_authorized'];
  const choices: Record<string, readonly string[]> = {
    top_level_parent_id: ['null', 'root'],
    unknown_permission: ['deny', 'error'],
    discovery: ['inherited', 'direct'],
  };
  for (const [key, value] of Object.entries(settings)) {
    if (booleans.includes(key)) {
      if (typeof value !== 'boolean') {
        problems.push(`settings.${key}: must be true or false, got ${JSON.stringify(value)}`);
      }
    } else if (key in choices) {
      if (typeof value !== 'string' || !(choices[key] ?? []).includes(value)) {
        problems.push(`settings.${key}: must be one of ${(choices[key] ?? []).join(', ')}, got ${JSON.stringify(value)}`);
      }
    } else if (key === 'max_depth') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        problems.push(`settings.max_depth: must be a positive integer, got ${JSON.stringify(value)}`);
      }
    } else {
      problems.push(`settings.${key}: unknown setting; known settings are ${[...booleans, ...Object.keys(choices), 'max_depth'].join(', ')}`);
    }
  }
}

/**
 * Validates a seed and lists every problem, each naming the entry and what is
 * wrong with it.
 */
export function validateSeed(input: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(input)) {
    return ['the seed must be a mapping with keys such as permissions, roles, users and organizations'];
  }
  const seed = input;
  const known = ['settings', 'resource_types', 'permissions', 'roles', 'users', 'organizations', 'faults'];
  for (const key of Object.keys(seed)) {
    if (!known.includes(key) && !OFFICIAL_KEYS_IGNORED.includes(key)) {
      problems.push(`${key}: unknown top-level key; expected one of ${known.join(', ')}`);
    }
  }
  validateSettings(seed, problems);
  const multipleRoles = isRecord(seed.settings) && seed.settings.multiple_roles === true;
  const maxDepth = isRecord(seed.settings) && typeof seed.settings.max_depth === 'number' ? seed.settings.max_depth : DEFAULT_SETTINGS.max_depth;

  // Resource types
  const types = new Map<string, string[]>();
  for (const [index, entry] of listAt(seed, 'resource_types', problems).entries()) {
    const where = label(`resource_types[${index}]`, entry, 'slug');
    const slug = entry.slug;
    if (typeof slug !== 'string' || !TYPE_SLUG.test(slug)) {
      problems.push(`${where}: slug must be lowercase letters, digits, "-" or "_", at most 48 characters`);
      continue;
    }
    if (slug === 'organization') {
      problems.push(`${where}: "organization" is the built-in root type and cannot be redefined`);
      continue;
    }
    if (types.has(slug)) {
      problems.push(`${where}: slug is defined twice`);
    }
    optionalString(entry, 'name', where, problems);
    const parents = entry.parents === undefined ? ['organization'] : stringList(entry, 'parents', where, problems);
    if (parents.length === 0) {
      problems.push(`${where}: parents must list at least one type (use organization for top-level resources)`);
    }
    types.set(slug, parents);
  }
  // A type may list itself or a descendant as parent (nested folders); the depth limit bounds instance trees.
  for (const [slug, parents] of types) {
    for (const parent of parents) {
      if (parent !== 'organization' && !types.has(parent)) {
        problems.push(`resource_types (slug "${slug}"): parent type "${parent}" is not defined`);
      }
    }
  }
  const typeExists = (slug: unknown): slug is string => slug === 'organization' || (typeof slug === 'string' && types.has(slug));

  // Permissions
  const permissionTypes = new Map<string, string>();
  for (const [index, entry] of listAt(seed, 'permissions', problems).entries()) {
    const where = label(`permissions[${index}]`, entry, 'slug');
    const slug = entry.slug;
    if (typeof slug !== 'string' || !PERMISSION_SLUG.test(slug)) {
      problems.push(`${where}: slug must be lowercase letters, digits, "-", "_", ":", "." or "*", at most 48 characters`);
      continue;
    }
    if (permissionTypes.has(slug)) {
      problems.push(`${where}: slug is defined twice`);
    }
    optionalString(entry, 'name', where, problems);
    optionalString(entry, 'description', where, problems);
    const type = entry.resource_type_slug ?? 'organization';
    if (!typeExists(type)) {
      problems.push(`${where}: resource_type_slug ${JSON.stringify(type)} is not a defined resource type`);
    }
    permissionTypes.set(slug, typeof type === 'string' ? type : 'organization');
  }

  // Roles
  const roleTypes = new Map<string, string>();
  let defaults = 0;
  for (const [index, entry] of listAt(seed, 'roles', problems).entries()) {
    const where = label(`roles[${index}]`, entry, 'slug');
    const slug = entry.slug;
    if (typeof slug !== 'string' || !ROLE_SLUG.test(slug)) {
      problems.push(`${where}: slug must be lowercase letters, digits, "-" or "_", at most 48 characters`);
      continue;
    }
    if (roleTypes.has(slug) && entry.organization_id === undefined) {
      problems.push(`${where}: slug is defined twice`);
    }
    optionalString(entry, 'name', where, problems);
    optionalString(entry, 'description', where, problems);
    optionalString(entry, 'organization_id', where, problems);
    const type = entry.resource_type_slug ?? 'organization';
    if (!typeExists(type)) {
      problems.push(`${where}: resource_type_slug ${JSON.stringify(type)} is not a defined resource type`);
    }
    if (entry.is_default_role !== undefined && typeof entry.is_default_role !== 'boolean') {
      problems.push(`${where}: is_default_role must be true or false`);
    }
    if (entry.is_default_role === true) {
      defaults += 1;
      if (type !== 'organization') {
        problems.push(`${where}: only an organization role can be the default role`);
      }
    }
    for (const permission of stringList(entry, 'permissions', where, problems)) {
      const permissionType = permissionTypes.get(permission);
      if (permissionType === undefined) {
        problems.push(`${where}: permission "${permission}" is not defined in permissions`);
      } else if (typeof type === 'string' && !isTypeAtOrBelow(types, permissionType, type)) {
        problems.push(`${where}: permission "${permission}" applies to "${permissionType}" resources, which are not "${type}" or below it`);
      }
    }
    roleTypes.set(slug, typeof type === 'string' ? type : 'organization');
  }
  if (defaults > 1) {
    problems.push('roles: more than one role has is_default_role: true');
  }

  // Users
  const userKeys = new Set<string>();
  for (const [index, entry] of listAt(seed, 'users', problems).entries()) {
    const where = label(`users[${index}]`, entry, 'email');
    const email = entry.email;
    if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
      problems.push(`${where}: email is required and must be an email address`);
      continue;
    }
    if (userKeys.has(email.trim().toLowerCase())) {
      problems.push(`${where}: email is used by another user`);
    }
    userKeys.add(email.trim().toLowerCase());
    if (entry.id !== undefined) {
      if (typeof entry.id !== 'string' || !/^[A-Za-z0-9_-]+$/.test(entry.id)) {
        problems.push(`${where}: id must be letters, digits, "_" or "-"`);
      } else {
        userKeys.add(entry.id);
      }
    }
    for (const key of ['first_name', 'last_name', 'external_id', 'password']) {
      optionalString(entry, key, where, problems);
    }
    if (entry.email_verified !== undefined && typeof entry.email_verified !== 'boolean') {
      problems.push(`${where}: email_verified must be true or false`);
    }
  }

  // Organizations, their resources and memberships
  const organizations = listAt(seed, 'organizations', problems);
  const organizationIds = new Set(organizations.map((entry) => entry.id).filter((id): id is string => typeof id === 'string'));
  for (const [index, entry] of listAt(seed, 'roles', []).entries()) {
    if (entry.organization_id !== undefined && (typeof entry.organization_id !== 'string' || !organizationIds.has(entry.organization_id))) {
      problems.push(`${label(`roles[${index}]`, entry, 'slug')}: organization_id ${JSON.stringify(entry.organization_id)} must be the id of an organization in organizations`);
    }
  }
  for (const [index, entry] of organizations.entries()) {
    const where = label(`organizations[${index}]`, entry, 'name');
    if (typeof entry.name !== 'string' || entry.name.trim() === '') {
      problems.push(`${where}: name is required`);
    }
    if (entry.id !== undefined && (typeof entry.id !== 'string' || !/^[A-Za-z0-9_-]+$/.test(entry.id))) {
      problems.push(`${where}: id must be letters, digits, "_" or "-"`);
    }
    optionalString(entry, 'external_id', where, problems);

    // Depth of each seeded resource below the organization, by `type/external_id`.
    const resourceKeys = new Map<string, number>();
    for (const [resourceIndex, resource] of listAt(entry, 'resources', problems).entries()) {
      const resourceWhere = `${where}.resources[${resourceIndex}]`;
      const type = resource.resource_type_slug;
      if (type === 'organization' || !typeExists(type)) {
        problems.push(`${resourceWhere}: resource_type_slug "${String(type)}" is not a defined resource type`);
        continue;
      }
      if (typeof resource.external_id !== 'string' || resource.external_id === '') {
        problems.push(`${resourceWhere}: external_id is required`);
        continue;
      }
      const parent = resource.parent;
      const parentType = isRecord(parent) ? parent.resource_type_slug : 'organization';
      if (parent !== undefined && (!isRecord(parent) || typeof parent.resource_type_slug !== 'string' || typeof parent.external_id !== 'string')) {
        problems.push(`${resourceWhere}: parent must be { resource_type_slug, external_id }`);
      } else if (isRecord(parent) && !resourceKeys.has(`${String(parent.resource_type_slug)}/${String(parent.external_id)}`)) {
        problems.push(`${resourceWhere}: parent ${String(parent.resource_type_slug)}/${String(parent.external_id)} must be listed before it in the same organization`);
      } else if (!(types.get(type) ?? []).includes(String(parentType))) {
        problems.push(`${resourceWhere}: a "${type}" resource cannot have a "${String(parentType)}" parent`);
      }

      const parentDepth = isRecord(parent) ? (resourceKeys.get(`${String(parent.resource_type_slug)}/${String(parent.external_id)}`) ?? 0) : 0;
      if (parentDepth + 1 > maxDepth) {
        problems.push(`${resourceWhere}: it would sit ${parentDepth + 1} levels below the organization, more than max_depth ${maxDepth}`);
      }
      resourceKeys.set(`${type}/${resource.external_id}`, parentDepth + 1);
    }

    for (const [membershipIndex, membership] of listAt(entry, 'memberships', problems).entries()) {
      const membershipWhere = `${where}.memberships[${membershipIndex}]`;
      const user = membership.email ?? membership.user_id;
      if (typeof user !== 'string' || !userKeys.has(user.includes('@') ? user.trim().toLowerCase() : user)) {
        problems.push(`${membershipWhere}: email ${JSON.stringify(user)} must be the email (or pinned id) of a user in users`);
      }
      if (membership.status !== undefined && (typeof membership.status !== 'string' || !STATUSES.includes(membership.status))) {
        problems.push(`${membershipWhere}: status must be active, inactive or pending`);
      }
      let roles: unknown[] = [];
      if (membership.roles !== undefined) {
        roles = stringList(membership, 'roles', membershipWhere, problems);
      } else if (membership.role !== undefined) {
        roles = [membership.role];
      }
      if (roles.length > 1 && !multipleRoles) {
        problems.push(`${membershipWhere}: several roles need settings.multiple_roles: true`);
      }
      for (const role of roles) {
        const roleType = typeof role === 'string' ? roleTypes.get(role) : undefined;
        if (roleType === undefined) {
          problems.push(`${membershipWhere}: role ${JSON.stringify(role)} is not defined in roles`);
        } else if (roleType !== 'organization') {
          problems.push(`${membershipWhere}: role ${JSON.stringify(role)} is a "${roleType}" role, so assign it under role_assignments`);
        }
      }
      for (const [assignmentIndex, assignment] of listAt(membership, 'role_assignments', problems).entries()) {
        const assignmentWhere = `${membershipWhere}.role_assignments[${assignmentIndex}]`;
        const roleType = typeof assignment.role === 'string' ? roleTypes.get(assignment.role) : undefined;
        const key = `${String(assignment.resource_type_slug)}/${String(assignment.resource_external_id)}`;
        if (roleType === undefined) {
          problems.push(`${assignmentWhere}: role ${JSON.stringify(assignment.role)} is not defined in roles`);
        } else if (roleType !== assignment.resource_type_slug) {
          problems.push(`${assignmentWhere}: role "${String(assignment.role)}" applies to "${roleType}" resources, not "${String(assignment.resource_type_slug)}"`);
        }
        if (assignment.resource_type_slug !== 'organization' && !resourceKeys.has(key)) {
          problems.push(`${assignmentWhere}: resource ${key} is not in this organization's resources`);
        }
      }
    }

    const memberEmails = new Set(
      listAt(entry, 'memberships', [])
        .map((membership) => membership.email ?? membership.user_id)
        .filter((email): email is string => typeof email === 'string')
        .map((email) => email.trim().toLowerCase()),
    );
    for (const [groupIndex, group] of listAt(entry, 'groups', problems).entries()) {
      const groupWhere = label(`${where}.groups[${groupIndex}]`, group, 'name');
      if (typeof group.name !== 'string' || group.name.trim() === '') {
        problems.push(`${groupWhere}: name is required`);
      }
      optionalString(group, 'description', groupWhere, problems);
      for (const member of stringList(group, 'members', groupWhere, problems)) {
        if (!memberEmails.has(member.trim().toLowerCase())) {
          problems.push(`${groupWhere}: member "${member}" must be the email of a membership of this organization`);
        }
      }
      for (const [assignmentIndex, assignment] of listAt(group, 'role_assignments', problems).entries()) {
        const assignmentWhere = `${groupWhere}.role_assignments[${assignmentIndex}]`;
        const type = typeof assignment.resource_type_slug === 'string' ? assignment.resource_type_slug : 'organization';
        const roleType = typeof assignment.role === 'string' ? roleTypes.get(assignment.role) : undefined;
        if (roleType === undefined) {
          problems.push(`${assignmentWhere}: role ${JSON.stringify(assignment.role)} is not defined in roles`);
        } else if (roleType !== type) {
          problems.push(`${assignmentWhere}: role ${JSON.stringify(assignment.role)} applies to "${roleType}" resources, not ${JSON.stringify(type)}`);
        }
        const key = `${type}/${JSON.stringify(assignment.resource_external_id)}`;
        if (type !== 'organization' && (typeof assignment.resource_external_id !== 'string' || !resourceKeys.has(`${type}/${assignment.resource_external_id}`))) {
          problems.push(`${assignmentWhere}: resource ${key} is not in this organization's resources`);
        }
      }
    }
  }

  for (const [index, fault] of (Array.isArray(seed.faults) ? seed.faults : []).entries()) {
    try {
      normalizeFaultRule(fault, `faults[${index}]`);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (seed.faults !== undefined && !Array.isArray(seed.faults)) {
    problems.push('faults: must be a list');
  }
  return problems;
}

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

/**
 * Loads a seed from a parsed object or a file path, validates it and builds
 * the state.
 *
 * @throws SeedError listing every problem, each naming the entry.
 */
export async function loadSeed(seed: Seed | string | undefined): Promise<{ state: State; faults: FaultRule[] }> {
  if (seed === undefined) {
    return stateFromSeed({});
  }

  const source = typeof seed === 'string' ? seed : 'object';
  const parsed: unknown = typeof seed === 'string' ? await readSeedFile(seed) : seed;
  const problems = validateSeed(parsed);
  if (problems.length > 0) {
    throw new SeedError(source, problems);
  }
  return stateFromSeed(parsed as Seed);
}
