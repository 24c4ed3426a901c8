import { describe, expect, it, vi } from 'vitest';

import { createTestCheckClient } from '../src/testing.js';

const workspace = (id: string) => ({ resourceTypeSlug: 'workspace', resourceExternalId: id });

function delayed<T>(value: T, ms: number): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

describe('check', () => {
  it('returns allowed when WorkOS authorizes', async () => {
    const checks = createTestCheckClient({ decide: () => true });

    const decision = await checks.check({ organizationMembershipId: 'om_1', permission: 'workspace:view', resource: workspace('ws_1') });

    expect(decision).toEqual({ status: 'allowed', source: 'upstream' });
    expect(checks.upstreamChecks).toEqual([{ organizationMembershipId: 'om_1', permission: 'workspace:view', resource: workspace('ws_1') }]);
  });

  it('returns denied when WorkOS refuses', async () => {
    const checks = createTestCheckClient({ decide: () => false });

    const decision = await checks.check({ organizationMembershipId: 'om_1', permission: 'workspace:view', resource: workspace('ws_1') });

    expect(decision).toEqual({ status: 'denied', source: 'upstream', reason: 'not_authorized' });
  });

  it('returns denied not_found on a WorkOS 404', async () => {
    const checks = createTestCheckClient({ decide: () => 'not_found' });

    const decision = await checks.check({ organizationMembershipId: 'om_1', permission: 'workspace:view', resource: workspace('ws_1') });

    expect(decision).toEqual({ status: 'denied', source: 'upstream', reason: 'not_found' });
  });

  it('returns undecided on an upstream error', async () => {
    const checks = createTestCheckClient({ decide: () => new Error('boom') });

    const decision = await checks.check({ organizationMembershipId: 'om_1', permission: 'workspace:view', resource: workspace('ws_1') });

    expect(decision).toMatchObject({ status: 'undecided', reason: 'upstream_error', error: { message: 'boom' } });
  });

  it('returns undecided on timeout', async () => {
    const checks = createTestCheckClient({ timeoutMs: 20, decide: () => delayed(true, 500) });

    const started = performance.now();
    const decision = await checks.check({ organizationMembershipId: 'om_1', permission: 'workspace:view', resource: workspace('ws_1') });

    expect(decision).toMatchObject({ status: 'undecided', reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(400);
  });

  it('rejects undeclared permissions at run time', async () => {
    const checks = createTestCheckClient({ permissions: ['workspace:view'] });

    // @ts-expect-error: the slug is not declared
    const attempt = checks.check({ organizationMembershipId: 'om_1', permission: 'workspace:vew', resource: workspace('ws_1') });

    await expect(attempt).rejects.toThrow(/Unknown permission "workspace:vew"/);
  });
});

describe('subject resolution', () => {
  it('resolves app ids through the membership lookup', async () => {
    const getMembershipId = vi.fn(() => Promise.resolve('om_store'));
    const checks = createTestCheckClient({ decide: () => true, membershipLookup: { getMembershipId } });

    await checks.check({ userId: 'u1', organizationId: 'o1', permission: 'p', resource: workspace('ws_1') });
    await checks.check({ userId: 'u1', organizationId: 'o1', permission: 'p', resource: workspace('ws_2') });

    expect(getMembershipId).toHaveBeenCalledTimes(1);
    expect(checks.upstreamChecks.map((call) => call.organizationMembershipId)).toEqual(['om_store', 'om_store']);
  });

  it('falls back to WorkOS when the lookup knows nothing', async () => {
    const checks = createTestCheckClient({
      decide: () => true,
      membershipLookup: { getMembershipId: () => Promise.resolve(undefined) },
      memberships: { 'u1/o1': 'om_workos' },
    });

    const decision = await checks.check({ userId: 'u1', organizationId: 'o1', permission: 'p', resource: workspace('ws_1') });

    expect(decision.status).toBe('allowed');
    expect(checks.decisions[0]?.organizationMembershipId).toBe('om_workos');
  });

  it('denies a user without membership', async () => {
    const checks = createTestCheckClient({ decide: () => true });

    const decision = await checks.check({ userId: 'u1', organizationId: 'o1', permission: 'p', resource: workspace('ws_1') });

    expect(decision).toEqual({ status: 'denied', source: 'upstream', reason: 'no_membership' });
    expect(checks.upstreamChecks).toHaveLength(0);
  });

  it('is undecided only when the lookup and WorkOS both fail', async () => {
    const checks = createTestCheckClient({
      membershipLookup: { getMembershipId: () => Promise.reject(new Error('store down')) },
    });
    // Reading the scripted WorkOS memberships throws, so the fallback fails too.
    const failing = createTestCheckClient({
      membershipLookup: { getMembershipId: () => Promise.reject(new Error('store down')) },
      memberships: new Proxy({}, { get: () => { throw new Error('workos down'); } }),
    });

    const fromStoreFailure = await checks.check({ userId: 'u1', organizationId: 'o1', permission: 'p', resource: workspace('ws_1') });
    const fromBothFailures = await failing.check({ userId: 'u1', organizationId: 'o1', permission: 'p', resource: workspace('ws_1') });

    expect(fromStoreFailure).toMatchObject({ status: 'denied', reason: 'no_membership' });
    expect(fromBothFailures).toMatchObject({ status: 'undecided', reason: 'subject_lookup_failed' });
  });
});

describe('subject lookup timeout', () => {
  it('asks WorkOS when the store does not answer in time', async () => {
    const checks = createTestCheckClient({
      decide: () => true,
      memberships: { 'u1/acme': 'om_1' },
      membershipLookup: { getMembershipId: () => new Promise<string | undefined>(() => undefined) },
      subjectCache: { lookupTimeoutMs: 20 },
      timeoutMs: 10_000,
    });

    const decision = await checks.check({ userId: 'u1', organizationId: 'acme', permission: 'workspace:view', resource: workspace('ws_1') });

    expect(decision.status).toBe('allowed');
    expect(checks.upstreamChecks[0]?.organizationMembershipId).toBe('om_1');
  });
});

describe('memo and coalescing', () => {
  it('answers repeated checks of one request from the memo', async () => {
    const checks = createTestCheckClient({ decide: () => true });
    const request = {};
    const input = { organizationMembershipId: 'om_1', permission: 'p', resource: workspace('ws_1') };

    const first = await checks.forRequest(request).check(input);
    const second = await checks.forRequest(request).check(input);

    expect(first.source).toBe('upstream');
    expect(second.source).toBe('memo');
    expect(checks.upstreamChecks).toHaveLength(1);
  });

  it('coalesces identical checks in flight', async () => {
    const checks = createTestCheckClient({ decide: () => delayed(true, 30) });
    const input = { organizationMembershipId: 'om_1', permission: 'p', resource: workspace('ws_1') };

    const decisions = await Promise.all(Array.from({ length: 100 }, () => checks.forRequest({}).check(input)));

    expect(checks.upstreamChecks).toHaveLength(1);
    expect(decisions.every((decision) => decision.status === 'allowed')).toBe(true);
    expect(decisions.filter((decision) => decision.source === 'coalesced')).toHaveLength(99);
  });

  it('does not join a check started before an invalidation', async () => {
    let allowed = true;
    const checks = createTestCheckClient({ decide: () => delayed(allowed, 30) });
    const input = { organizationMembershipId: 'om_1', permission: 'p', resource: workspace('ws_1') };

    const before = checks.check(input);
    await vi.waitFor(() => expect(checks.upstreamChecks).toHaveLength(1));
    allowed = false;
    checks.invalidate({ kind: 'membership', organizationMembershipId: 'om_1' });
    const after = checks.check(input);

    expect((await before).status).toBe('allowed');
    expect(await after).toMatchObject({ status: 'denied', source: 'upstream' });
  });

  it('stops a request at its time budget', async () => {
    // The second check outlives the budget by far, so timer jitter on a busy machine cannot change the outcome.
    const checks = createTestCheckClient({
      timeoutMs: 10_000,
      decide: ({ resource }) => delayed(true, 'resourceExternalId' in resource && resource.resourceExternalId === 'ws_1' ? 10 : 5_000),
    });
    const scoped = checks.forRequest({}, { budgetMs: 300 });

    const first = await scoped.check({ organizationMembershipId: 'om_1', permission: 'p', resource: workspace('ws_1') });
    const second = await scoped.check({ organizationMembershipId: 'om_1', permission: 'p', resource: workspace('ws_2') });
    // Timers may fire up to a millisecond before performance.now() reaches the deadline.
    await delayed(undefined, 5);
    const third = await scoped.check({ organizationMembershipId: 'om_1', permission: 'p', resource: workspace('ws_3') });

    expect(first.status).toBe('allowed');
    expect(second).toMatchObject({ status: 'undecided', reason: 'timeout' });
    expect(third).toMatchObject({ status: 'undecided', reason: 'budget_exhausted' });
  });
});

describe('decision cache', () => {
  it('serves allowed and denied decisions until their lifetimes end', async () => {
    const checks = createTestCheckClient({ cache: { allowedTtlMs: 60_000, deniedTtlMs: 30 }, decide: ({ resource }) => 'resourceExternalId' in resource && resource.resourceExternalId === 'ws_yes' });
    const yes = { organizationMembershipId: 'om_1', permission: 'p', resource: workspace('ws_yes') };
    const no = { organizationMembershipId: 'om_1', permission: 'p', resource: workspace('ws_no') };

    await checks.check(yes);
    await checks.check(no);
    const cachedYes = await checks.check(yes);
    const cachedNo = await checks.check(no);
    await delayed(undefined, 50);
    const expiredNo = await checks.check(no);

    expect(cachedYes).toEqual({ status: 'allowed', source: 'cache' });
    expect(cachedNo).toMatchObject({ status: 'denied', source: 'cache' });
    expect(expiredNo).toMatchObject({ status: 'denied', source: 'upstream' });
    expect(checks.upstreamChecks).toHaveLength(3);
  });

  it('evicts the least recently used decision', async () => {
    const checks = createTestCheckClient({ cache: { maxEntries: 2 }, decide: () => true });
    const check = (id: string) => checks.check({ organizationMembershipId: 'om_1', permission: 'p', resource: workspace(id) });

    await check('a');
    await check('b');
    await check('a');
    await check('c');
    const a = await check('a');
    const b = await check('b');

    expect(a.source).toBe('cache');
    expect(b.source).toBe('upstream');
  });

  it('drops decisions by membership and by resource', async () => {
    const checks = createTestCheckClient({ cache: {}, decide: () => true });
    const check = (om: string, id: string) => checks.check({ organizationMembershipId: om, permission: 'p', resource: workspace(id) });
    await check('om_1', 'ws_1');
    await check('om_2', 'ws_1');
    await check('om_2', 'ws_2');

    checks.invalidate({ kind: 'membership', organizationMembershipId: 'om_1' });
    checks.invalidate({ kind: 'resource', organizationId: 'org_1', resourceTypeSlug: 'workspace', resourceExternalId: 'ws_2' });

    expect((await check('om_1', 'ws_1')).source).toBe('upstream');
    expect((await check('om_2', 'ws_1')).source).toBe('cache');
    expect((await check('om_2', 'ws_2')).source).toBe('upstream');
  });

  it('drops a result invalidated mid-check', async () => {
    let allowed = true;
    const checks = createTestCheckClient({ cache: {}, decide: () => delayed(allowed, 30) });
    const input = { organizationMembershipId: 'om_1', permission: 'p', resource: workspace('ws_1') };

    const racing = checks.check(input);
    await vi.waitFor(() => expect(checks.upstreamChecks).toHaveLength(1));
    allowed = false;
    checks.invalidate({ kind: 'membership', organizationMembershipId: 'om_1' });
    await racing;
    const next = await checks.check(input);

    expect(next).toMatchObject({ status: 'denied', source: 'upstream' });
  });

  it('never caches undecided or not_found answers', async () => {
    let answer: boolean | 'not_found' | Error = new Error('down');
    const checks = createTestCheckClient({ cache: {}, circuitBreaker: false, decide: () => answer });
    const input = { organizationMembershipId: 'om_1', permission: 'p', resource: workspace('ws_1') };

    await checks.check(input);
    answer = 'not_found';
    await checks.check(input);
    answer = true;
    const decision = await checks.check(input);

    expect(decision).toEqual({ status: 'allowed', source: 'upstream' });
  });
});

describe('circuit breaker', () => {
  it('opens after repeated failures and probes after the cooldown', async () => {
    let answer: boolean | Error = new Error('down');
    const checks = createTestCheckClient({ circuitBreaker: { failureThreshold: 3, cooldownMs: 50 }, decide: () => answer });
    const check = (id: string) => checks.check({ organizationMembershipId: 'om_1', permission: 'p', resource: workspace(id) });

    for (const id of ['a', 'b', 'c']) {
      expect(await check(id)).toMatchObject({ status: 'undecided', reason: 'upstream_error' });
    }
    const whileOpen = await check('d');
    await delayed(undefined, 60);
    answer = true;
    const probe = await check('e');

    expect(whileOpen).toMatchObject({ status: 'undecided', reason: 'circuit_open' });
    expect(whileOpen).toMatchObject({ retryAfterMs: expect.any(Number) as number });
    expect(probe.status).toBe('allowed');
    expect(checks.upstreamChecks).toHaveLength(4);
  });

  it('stays closed when WorkOS rejects requests', async () => {
    const rejection = Object.assign(new Error('invalid resource reference'), { status: 422 });
    const checks = createTestCheckClient({ circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 }, decide: () => rejection });
    const check = (id: string) => checks.check({ organizationMembershipId: 'om_1', permission: 'p', resource: workspace(id) });

    for (const id of ['a', 'b', 'c', 'd']) {
      expect(await check(id)).toMatchObject({ status: 'undecided', reason: 'upstream_error' });
    }

    expect(checks.upstreamChecks).toHaveLength(4);
  });
});

describe('onDecision', () => {
  it('reports subject, decision, cache use and latency', async () => {
    const events: unknown[] = [];
    const checks = createTestCheckClient({ cache: {}, decide: () => true, onDecision: (event) => events.push(event) });
    const input = { organizationMembershipId: 'om_1', permission: 'p', resource: workspace('ws_1') };

    await checks.check(input);
    await checks.check(input);

    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ subject: { organizationMembershipId: 'om_1' }, permission: 'p', cached: false, decision: { status: 'allowed' } });
    expect(events[1]).toMatchObject({ cached: true, decision: { source: 'cache' } });
    expect(checks.decisions[0]?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps the decision when the hook throws', async () => {
    const checks = createTestCheckClient({
      decide: () => true,
      onDecision: () => {
        throw new Error('audit sink down');
      },
    });

    const decision = await checks.check({ organizationMembershipId: 'om_1', permission: 'p', resource: workspace('ws_1') });

    expect(decision.status).toBe('allowed');
  });
});
