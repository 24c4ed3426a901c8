import { SyncInputError } from './errors.js';

/** Checks that `value` is a non-empty string of at most 128 characters (WorkOS's `external_id` limit). */
export function requireId(operation: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new SyncInputError(`[fgakit] ${operation}: ${field} must be a non-empty string, received ${JSON.stringify(value)}.`);
  }

  if (value.length > 128) {
    throw new SyncInputError(`[fgakit] ${operation}: ${field} ${JSON.stringify(value)} is longer than 128 characters, the WorkOS external id limit.`);
  }

  return value;
}

/** Checks an optional string field. */
export function optionalString(operation: string, field: string, value: unknown): string | undefined {
  if (value === undefined) {
    return undefined;
  }

  if (typeof value !== 'string') {
    throw new SyncInputError(`[fgakit] ${operation}: ${field} must be a string when given, received ${JSON.stringify(value)}.`);
  }

  return value;
}

/** Checks a required human-readable string such as a name. */
export function requireText(operation: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new SyncInputError(`[fgakit] ${operation}: ${field} must be a non-empty string, received ${JSON.stringify(value)}.`);
  }

  return value;
}

/** Checks an email address loosely; WorkOS validates it fully. */
export function requireEmail(operation: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(value)) {
    throw new SyncInputError(`[fgakit] ${operation}: email must be an email address, received ${JSON.stringify(value)}.`);
  }

  return value;
}

/** Checks a list of role slugs: non-empty strings, at least one, no duplicates kept. */
export function requireRoles(operation: string, field: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new SyncInputError(`[fgakit] ${operation}: ${field} must be a non-empty array of role slugs, received ${JSON.stringify(value)}.`);
  }

  for (const role of value) {
    if (typeof role !== 'string' || role.length === 0) {
      throw new SyncInputError(`[fgakit] ${operation}: ${field} contains ${JSON.stringify(role)}, which is not a role slug.`);
    }
  }

  return [...new Set(value as string[])].sort();
}

/** Checks a `{ resourceTypeSlug, resourceId }` reference. */
export function requireResourceRef(operation: string, field: string, value: unknown): { resourceTypeSlug: string; resourceId: string } {
  if (typeof value !== 'object' || value === null) {
    throw new SyncInputError(`[fgakit] ${operation}: ${field} must be { resourceTypeSlug, resourceId }, received ${JSON.stringify(value)}.`);
  }

  const ref = value as Record<string, unknown>;
  return {
    resourceTypeSlug: requireId(operation, `${field}.resourceTypeSlug`, ref['resourceTypeSlug']),
    resourceId: requireId(operation, `${field}.resourceId`, ref['resourceId']),
  };
}
