import type { DecisionInvalidation } from '../invalidation.js';
import type { ResourceRef } from './types.js';

/** Options of the cross-request decision cache. */
export interface DecisionCacheOptions {
  /**
   * Maximum number of decisions kept; the least recently used go first
   * (approximately: an entry read since it was stored gets a second chance).
   * @defaultValue 10000
   */
  maxEntries?: number;
  /**
   * Lifetime of an `allowed` decision, in milliseconds.
   * @defaultValue 30000
   */
  allowedTtlMs?: number;
  /**
   * Lifetime of a `denied` decision, in milliseconds.
   * @defaultValue 5000
   */
  deniedTtlMs?: number;
}

interface CacheEntry {
  allowed: boolean;
  expiresAt: number;
  /** Read since it was stored or last given a second chance. */
  used: boolean;
  organizationMembershipId: string;
  resource: ResourceRef;
}

/** Builds the key shared by the cache, the in-flight map and the per-request memo. */
export function decisionKey(organizationMembershipId: string, permission: string, resource: ResourceRef): string {
  const resourcePart =
    'resourceId' in resource ? `id\u0000${resource.resourceId}` : `ext\u0000${resource.resourceTypeSlug}\u0000${resource.resourceExternalId}`;
  return `${organizationMembershipId}\u0000${permission}\u0000${resourcePart}`;
}

/**
 * Bounded cache of allowed and denied decisions with separate lifetimes,
 * evicting about the least recently used first.
 *
 * Every invalidation bumps a generation counter. A caller reads the
 * generation before its upstream check and passes it to {@link set}; a result
 * whose check began before an invalidation is dropped, so a check that races
 * with a change can never put the pre-change decision back into the cache.
 */
export class DecisionCache {
  readonly #entries = new Map<string, CacheEntry>();
  readonly #maxEntries: number;
  readonly #allowedTtlMs: number;
  readonly #deniedTtlMs: number;
  #generation = 0;

  constructor({ maxEntries = 10_000, allowedTtlMs = 30_000, deniedTtlMs = 5_000 }: DecisionCacheOptions = {}) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`[fgakit] Invalid cache.maxEntries ${maxEntries}: pass an integer of at least 1.`);
    }
    if (!(allowedTtlMs >= 0) || !(deniedTtlMs >= 0)) {
      throw new RangeError(
        `[fgakit] Invalid cache lifetimes (allowedTtlMs ${allowedTtlMs}, deniedTtlMs ${deniedTtlMs}): pass numbers of milliseconds, 0 or more.`,
      );
    }

    this.#maxEntries = maxEntries;
    this.#allowedTtlMs = allowedTtlMs;
    this.#deniedTtlMs = deniedTtlMs;
  }

  /** Counter that every invalidation increments. */
  get generation(): number {
    return this.#generation;
  }

  /** Number of decisions held, expired ones included until they are read or evicted. */
  get size(): number {
    return this.#entries.size;
  }

  /** Returns the cached decision (true for allowed), or undefined when absent or expired. */
  get(key: string, now: number): boolean | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      return undefined;
    }

    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }

    // Only flags the entry: reordering the Map on every hit costs more than
    // the rest of a cached guard. Eviction gives flagged entries a second chance.
    entry.used = true;
    return entry.allowed;
  }

  /**
   * Stores a decision unless an invalidation happened after `generation` was
   * read. Returns whether it was stored.
   */
  set(key: string, entry: Omit<CacheEntry, 'expiresAt' | 'used'>, generation: number, now: number): boolean {
    if (generation !== this.#generation) {
      return false;
    }

    const ttl = entry.allowed ? this.#allowedTtlMs : this.#deniedTtlMs;
    if (ttl === 0) {
      return false;
    }

    this.#entries.delete(key);
    this.#entries.set(key, { ...entry, expiresAt: now + ttl, used: false });

    // Second chance: an entry read since it was stored moves to the back once
    // instead of going, which approximates least-recently-used eviction.
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.entries().next();
      if (oldest.done === true) {
        break;
      }

      const [oldestKey, oldestEntry] = oldest.value;
      this.#entries.delete(oldestKey);
      if (oldestEntry.used) {
        oldestEntry.used = false;
        this.#entries.set(oldestKey, oldestEntry);
      }
    }
    return true;
  }

  /** Drops the decisions an invalidation covers and bumps the generation. */
  invalidate(invalidation: DecisionInvalidation): void {
    this.#generation += 1;

    if (invalidation.kind === 'all') {
      this.#entries.clear();
      return;
    }

    for (const [key, entry] of this.#entries) {
      if (matches(entry, invalidation)) {
        this.#entries.delete(key);
      }
    }
  }
}

function matches(entry: CacheEntry, invalidation: Exclude<DecisionInvalidation, { kind: 'all' }>): boolean {
  if (invalidation.kind === 'membership') {
    return entry.organizationMembershipId === invalidation.organizationMembershipId;
  }

  // A decision keyed by WorkOS resource id cannot be matched to an external id, so it goes too.
  if ('resourceId' in entry.resource) {
    return true;
  }

  // NOTE: descendants of the resource are not tracked. A change on a parent that
  // affects its children (such as a cascading delete) needs one invalidation
  // per child, or `kind: 'all'`.
  return (
    entry.resource.resourceTypeSlug === invalidation.resourceTypeSlug &&
    entry.resource.resourceExternalId === invalidation.resourceExternalId
  );
}
