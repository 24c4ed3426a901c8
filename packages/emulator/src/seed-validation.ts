import { normalizeFaultRule } from './faults.js';
import { DEFAULT_SETTINGS } from './settings.js';

const TYPE_SLUG = /^[a-z0-9][a-z0-9_-]{0,47}$/;
const PERMISSION_SLUG = /^[a-z0-9*][a-z0-9_\-:.*]{0,47}$/;
const ROLE_SLUG = /^[a-z0-9][a-z0-9_-]{0,47}$/;
const STATUSES: readonly string[] = ['active', 'inactive', 'pending'];

/** Top-level keys of the official WorkOS emulator's seeds for features this emulator does not serve; they are ignored. */
const OFFICIAL_KEYS_IGNORED: readonly string[] = ['connections', 'pipeConnections', 'invitations', 'webhookEndpoints', 'apiKeys', 'connectApplications'];

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
  // Every type needs a chain of parent types up to organization, or no instance of it could ever be created.
  const rooted = new Set(['organization']);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [slug, parents] of types) {
      if (!rooted.has(slug) && parents.some((parent) => rooted.has(parent))) {
        rooted.add(slug);
        grew = true;
      }
    }
  }
  for (const slug of types.keys()) {
    if (!rooted.has(slug)) {
      problems.push(`resource_types (slug "${slug}"): no chain of parent types leads to organization, so no resource of this type can be created`);
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
      if (resourceKeys.has(`${type}/${resource.external_id}`)) {
        problems.push(`${resourceWhere}: ${type}/${resource.external_id} is listed twice; external ids are unique per type in an organization`);
      }
      const parent = resource.parent;
      const parentType = isRecord(parent) ? parent.resource_type_slug : 'organization';
      if (parent !== undefined && (!isRecord(parent) || typeof parent.resource_type_slug !== 'string' || typeof parent.external_id !== 'string')) {
        problems.push(`${resourceWhere}: parent must be { resource_type_slug, external_id }`);
      } else if (isRecord(parent) && !resourceKeys.has(`${String(parent.resource_type_slug)}/${String(parent.external_id)}`)) {
        problems.push(`${resourceWhere}: parent ${String(parent.resource_type_slug)}/${String(parent.external_id)} must be listed before it in the same organization`);
      } else if (!(types.get(type) ?? []).includes(String(parentType))) {
        problems.push(`${resourceWhere}: a "${type}" resource cannot have a parent of type "${String(parentType)}"`);
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
