import { hashTaggedPrefix } from '../redis.js';
import type { ResourceGrant, SyncEntity } from './types.js';

/** BullMQ queue name of sync jobs. */
export const QUEUE_NAME = 'sync';

/**
 * Encodes an entity as a string key. Each id is URI-encoded so that `:` inside
 * an id cannot be confused with the separator.
 */
export function entityKey(entity: SyncEntity): string {
  const e = encodeURIComponent;

  switch (entity.kind) {
    case 'organization':
      return `o:${e(entity.organizationId)}`;
    case 'user':
      return `u:${e(entity.userId)}`;
    case 'membership':
      return `m:${e(entity.userId)}:${e(entity.organizationId)}`;
    case 'resource':
      return `r:${e(entity.organizationId)}:${e(entity.resourceTypeSlug)}:${e(entity.resourceId)}`;
  }
}

/**
 * Decodes a key made by {@link entityKey}.
 *
 * @throws TypeError when the key is not an entity key.
 */
export function parseEntityKey(key: string): SyncEntity {
  const [kind, ...rawParts] = key.split(':');
  const [first, second, third, ...rest] = rawParts.map((part) => decodeURIComponent(part));

  if (first !== undefined && rest.length === 0) {
    if (kind === 'o' && second === undefined) {
      return { kind: 'organization', organizationId: first };
    }

    if (kind === 'u' && second === undefined) {
      return { kind: 'user', userId: first };
    }

    if (kind === 'm' && second !== undefined && third === undefined) {
      return { kind: 'membership', userId: first, organizationId: second };
    }

    if (kind === 'r' && second !== undefined && third !== undefined) {
      return { kind: 'resource', organizationId: first, resourceTypeSlug: second, resourceId: third };
    }
  }

  throw new TypeError(`[fgakit] Invalid sync entity key ${JSON.stringify(key)}.`);
}

/** Encodes a grant as a member of a membership's grant set. */
export function grantMember(grant: ResourceGrant): string {
  return JSON.stringify([grant.resourceTypeSlug, grant.resourceId, grant.role]);
}

/** Decodes a member made by {@link grantMember}. */
export function parseGrantMember(member: string): ResourceGrant {
  const [resourceTypeSlug, resourceId, role] = JSON.parse(member) as [string, string, string];
  return { resourceTypeSlug, resourceId, role };
}

/** Redis key names of one deployment. */
export interface SyncKeys {
  /** Hash-tagged prefix shared by the queue and the store, e.g. `{fgakit}`. */
  queuePrefix: string;
  /** Prefix of every desired-state key, e.g. `{fgakit}:state:`. */
  state: string;
  entity(key: string): string;
  grants(key: string): string;
  /** Set of membership keys of a user (for `deleteUser`). */
  userMemberships(userId: string): string;
  /** Hash of entity key → WorkOS id learned by the worker. */
  ids: string;
  /** Sorted set of entity keys whose synced version lags, scored by time. */
  lagging: string;
  lock(key: string): string;
}

/** Builds the key names for a prefix. */
export function syncKeys(prefix: string): SyncKeys {
  const queuePrefix = hashTaggedPrefix(prefix);
  const state = `${queuePrefix}:state:`;

  return {
    queuePrefix,
    state,
    entity: (key) => `${state}e:${key}`,
    grants: (key) => `${state}g:${key}`,
    userMemberships: (userId) => `${state}um:${encodeURIComponent(userId)}`,
    ids: `${state}ids`,
    lagging: `${state}lagging`,
    lock: (key) => `${state}lock:${key}`,
  };
}
