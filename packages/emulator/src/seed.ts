import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { MembershipStatus } from './entities.js';
import type { FaultRule, FaultRuleInput } from './faults.js';
import { stateFromSeed } from './seed-state.js';
import { validateSeed } from './seed-validation.js';
import type { EmulatorSettings } from './settings.js';
import type { State } from './state.js';

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
