import { describe, expect, it } from 'vitest';

import { createTestCheckClient } from '../src/testing.js';

const subject = { organizationMembershipId: 'om_1' };
const items = ['ws_1', 'ws_2', 'ws_3', 'ws_4', 'ws_5', 'ws_6'];
const resourceOf = (id: string) => ({ resourceTypeSlug: 'workspace', resourceExternalId: id });
const parent = { resourceTypeSlug: 'organization', resourceExternalId: 'org_1' };

function delayed<T>(value: T, ms: number): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

describe('filterAuthorized', () => {
  it('splits items by decision, in input order', async () => {
    const checks = createTestCheckClient({
      circuitBreaker: false,
      decide: ({ resource }) => {
        const id = 'resourceExternalId' in resource ? resource.resourceExternalId : '';
        return id === 'ws_3' ? new Error('down') : ['ws_1', 'ws_4'].includes(id);
      },
    });

    const result = await checks.filterAuthorized(items, { subject, permission: 'workspace:view', resourceOf });

    expect(result.allowed).toEqual(['ws_1', 'ws_4']);
    expect(result.denied).toEqual(['ws_2', 'ws_5', 'ws_6']);
    expect(result.undecided).toEqual(['ws_3']);
    expect(result.decisions.map((decision) => decision.status)).toEqual(['allowed', 'denied', 'undecided', 'allowed', 'denied', 'denied']);
  });

  it('keeps at most the given number of checks in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const checks = createTestCheckClient({
      decide: async () => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await delayed(undefined, 10);
        inFlight -= 1;
        return true;
      },
    });

    const result = await checks.filterAuthorized(items, { subject, permission: 'workspace:view', resourceOf, concurrency: 2 });

    expect(result.allowed).toHaveLength(items.length);
    expect(maxInFlight).toBe(2);
  });

  it('uses discovery for children of one parent', async () => {
    const checks = createTestCheckClient({
      decide: () => false,
      discoverable: {
        'om_1/workspace:view': [
          { resourceId: 'authz_resource_2', resourceTypeSlug: 'workspace', resourceExternalId: 'ws_2' },
          { resourceId: 'authz_resource_5', resourceTypeSlug: 'workspace', resourceExternalId: 'ws_5' },
        ],
      },
    });

    const result = await checks.filterAuthorized(items, { subject, permission: 'workspace:view', resourceOf, parent });

    expect(result.allowed).toEqual(['ws_2', 'ws_5']);
    expect(result.undecided).toEqual([]);
    expect(checks.upstreamChecks).toEqual([{ organizationMembershipId: 'om_1', permission: 'workspace:view', resource: parent }]);
  });

  it('allows every child when the permission holds on the parent', async () => {
    const checks = createTestCheckClient({ decide: () => true });

    const result = await checks.filterAuthorized(items, { subject, permission: 'workspace:view', resourceOf, parent });

    expect(result.allowed).toEqual(items);
    expect(checks.upstreamChecks).toHaveLength(1);
  });

  it('falls back to one check per item when the parent check fails', async () => {
    let calls = 0;
    const checks = createTestCheckClient({
      circuitBreaker: false,
      decide: () => {
        calls += 1;
        return calls === 1 ? new Error('parent check failed') : true;
      },
    });

    const result = await checks.filterAuthorized(items, { subject, permission: 'workspace:view', resourceOf, parent });

    expect(result.allowed).toEqual(items);
    expect(checks.upstreamChecks).toHaveLength(1 + items.length);
  });
});
