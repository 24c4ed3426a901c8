import type { DiscoveredResource } from './backend.js';
import type { CheckEngine, RequestScope } from './engine.js';
import type { CheckDecision, ResourceRef, Subject } from './types.js';

/** Options of `filterAuthorized`. */
export interface FilterOptions<P extends string, T> {
  subject: Subject;
  permission: P;
  /** Returns the resource an item stands for. */
  resourceOf: (item: T) => ResourceRef;
  /**
   * The parent of every item. When given, the client makes at most two
   * upstream calls (a check on the parent and one resource discovery) instead
   * of one check per item.
   *
   * Every item must be a direct child of this parent: for other items the
   * result is wrong. It relies on two WorkOS rules. A permission held on a
   * parent (directly, through an ancestor or through an organization role)
   * holds on all its children. Discovery lists the children reached by
   * assignments on the parent or on the children.
   */
  parent?: ResourceRef;
  /** Maximum number of checks in flight; defaults to the client's `batchConcurrency`. */
  concurrency?: number;
}

/** Items split by decision. Undecided items must be treated as not allowed. */
export interface FilterResult<T> {
  allowed: T[];
  denied: T[];
  undecided: T[];
  /** Decision of each item, in input order. */
  decisions: CheckDecision[];
}

/** Checks many items for one subject and permission, with bounded concurrency. */
export async function filterAuthorized<T>(
  engine: CheckEngine,
  scope: RequestScope,
  items: readonly T[],
  options: FilterOptions<string, T>,
  defaultConcurrency: number,
): Promise<FilterResult<T>> {
  const concurrency = options.concurrency ?? defaultConcurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`[fgakit] Invalid concurrency ${concurrency}: pass an integer of at least 1.`);
  }

  let decisions: CheckDecision[] | undefined;
  if (options.parent !== undefined && items.length > 1) {
    decisions = await decideByDiscovery(engine, scope, items, options, options.parent);
  }
  decisions ??= await mapLimited(items, concurrency, (item) =>
    engine.decide({ ...options.subject, permission: options.permission, resource: options.resourceOf(item) }, scope),
  );

  const result: FilterResult<T> = { allowed: [], denied: [], undecided: [], decisions };
  items.forEach((item, index) => {
    const decision = decisions[index];
    if (decision?.status === 'allowed') {
      result.allowed.push(item);
    } else if (decision?.status === 'denied') {
      result.denied.push(item);
    } else {
      result.undecided.push(item);
    }
  });
  return result;
}

/**
 * Decides children of one parent with a parent check plus one discovery.
 * Returns undefined when either call fails, so the caller falls back to
 * one check per item.
 */
async function decideByDiscovery<T>(
  engine: CheckEngine,
  scope: RequestScope,
  items: readonly T[],
  options: FilterOptions<string, T>,
  parent: ResourceRef,
): Promise<CheckDecision[] | undefined> {
  const started = performance.now();

  let organizationMembershipId: string | undefined;
  try {
    organizationMembershipId = await engine.resolveMembership(options.subject);
  } catch {
    return undefined;
  }
  if (organizationMembershipId === undefined) {
    return undefined;
  }

  const onParent = await engine.decideForMembership(organizationMembershipId, options.permission, parent, scope);
  if (onParent.status === 'undecided') {
    return undefined;
  }

  let discovered: DiscoveredResource[] = [];
  if (onParent.status === 'denied') {
    const budgetMs = engine.remainingMs(scope);
    if (budgetMs <= 0) {
      return undefined;
    }
    try {
      discovered = await engine.callUpstream(() => engine.backend.listResources(organizationMembershipId, options.permission, parent), budgetMs);
    } catch (error) {
      engine.logger.warn({ err: error, permission: options.permission }, 'resource discovery failed; checking each item instead');
      return undefined;
    }
  }

  const byId = new Set(discovered.map((resource) => resource.resourceId));
  const byExternalId = new Set(discovered.map((resource) => `${resource.resourceTypeSlug}\u0000${resource.resourceExternalId}`));
  const latencyMs = performance.now() - started;

  return items.map((item) => {
    const resource = options.resourceOf(item);
    const found =
      onParent.status === 'allowed' ||
      ('resourceId' in resource ? byId.has(resource.resourceId) : byExternalId.has(`${resource.resourceTypeSlug}\u0000${resource.resourceExternalId}`));
    const decision: CheckDecision = found
      ? { status: 'allowed', source: 'upstream' }
      : { status: 'denied', source: 'upstream', reason: 'not_authorized' };
    engine.report({
      subject: options.subject,
      organizationMembershipId,
      permission: options.permission,
      resource,
      decision,
      cached: false,
      latencyMs,
    });
    return decision;
  });
}

/** Maps items with at most `limit` calls pending at once, keeping input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;

  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await map(items[index] as T);
    }
  };

  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
