import type { DecisionInvalidation } from '../invalidation.js';
import type { Logger } from '../logger.js';
import type { CheckBackend } from './backend.js';
import { withTimeout } from './errors.js';
import type { MembershipLookup } from './types.js';

/** Options of the cache of app ids to membership ids. */
export interface SubjectCacheOptions {
  /**
   * Lifetime of a found membership id, in milliseconds.
   * @defaultValue 60000
   */
  ttlMs?: number;
  /**
   * Lifetime of a "no membership" result, in milliseconds.
   * @defaultValue 5000
   */
  missingTtlMs?: number;
  /**
   * Maximum number of entries kept.
   * @defaultValue 10000
   */
  maxEntries?: number;
  /**
   * Time the `membershipLookup` store gets before WorkOS is asked instead, in
   * milliseconds. A store that is down (Redis unreachable) must not hold
   * every uncached check until the check times out.
   * @defaultValue 250
   */
  lookupTimeoutMs?: number;
}

interface SubjectEntry {
  organizationMembershipId: string | undefined;
  expiresAt: number;
}

/**
 * Resolves app user and organization ids to a WorkOS membership id: first
 * through the injected lookup (the sync store), then through WorkOS. Results
 * are cached; concurrent lookups of one pair share one call.
 */
export class SubjectResolver {
  readonly #lookup: MembershipLookup | undefined;
  readonly #backend: CheckBackend;
  readonly #ttlMs: number;
  readonly #missingTtlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, SubjectEntry>();
  readonly #inFlight = new Map<string, Promise<string | undefined>>();
  #generation = 0;

  readonly #logger: Logger;
  readonly #lookupTimeoutMs: number;

  constructor(lookup: MembershipLookup | undefined, backend: CheckBackend, logger: Logger, options: SubjectCacheOptions = {}) {
    this.#lookup = lookup;
    this.#logger = logger;
    this.#backend = backend;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#missingTtlMs = options.missingTtlMs ?? 5_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#lookupTimeoutMs = options.lookupTimeoutMs ?? 250;
  }

  /** Returns the cached membership id without waiting, or undefined when it is not cached. */
  peek(userId: string, organizationId: string, now: number): string | undefined {
    const cached = this.#entries.get(`${userId}\u0000${organizationId}`);
    return cached !== undefined && cached.expiresAt > now ? cached.organizationMembershipId : undefined;
  }

  /** Resolves the membership id; rejects when both the lookup and WorkOS fail. */
  async resolve(userId: string, organizationId: string, now: number): Promise<string | undefined> {
    const key = `${userId}\u0000${organizationId}`;
    const cached = this.#entries.get(key);
    if (cached !== undefined && cached.expiresAt > now) {
      return cached.organizationMembershipId;
    }

    const pending = this.#inFlight.get(key);
    if (pending !== undefined) {
      return pending;
    }

    const generation = this.#generation;
    const lookup = this.#find(userId, organizationId).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, lookup);

    const organizationMembershipId = await lookup;
    if (generation === this.#generation) {
      const ttl = organizationMembershipId === undefined ? this.#missingTtlMs : this.#ttlMs;
      this.#entries.set(key, { organizationMembershipId, expiresAt: now + ttl });
      if (this.#entries.size > this.#maxEntries) {
        const oldest = this.#entries.keys().next();
        if (oldest.done !== true) {
          this.#entries.delete(oldest.value);
        }
      }
    }
    return organizationMembershipId;
  }

  /** Drops cached mappings that an invalidation may have made wrong. */
  invalidate(invalidation: DecisionInvalidation): void {
    if (invalidation.kind === 'resource') {
      return;
    }

    this.#generation += 1;
    this.#inFlight.clear();

    for (const [key, entry] of this.#entries) {
      // "No membership" results go on any membership change: the change may be the sign-up that creates it.
      if (
        invalidation.kind === 'all' ||
        entry.organizationMembershipId === undefined ||
        entry.organizationMembershipId === invalidation.organizationMembershipId
      ) {
        this.#entries.delete(key);
      }
    }
  }

  async #find(userId: string, organizationId: string): Promise<string | undefined> {
    if (this.#lookup !== undefined) {
      try {
        const stored = await withTimeout(this.#lookup.getMembershipId(userId, organizationId), this.#lookupTimeoutMs);
        if (stored !== undefined) {
          return stored;
        }
      } catch (error) {
        // The store being down should not stop checks while WorkOS is reachable.
        this.#logger.warn({ err: error, userId, organizationId }, 'membership lookup failed, asking WorkOS instead');
      }
    }

    return this.#backend.findMembershipId(userId, organizationId);
  }
}
