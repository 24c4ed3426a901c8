import { describe, expect, it } from 'vitest';
import { isThenable, runGuard } from '../src/check/guard.js';
import type { DecisionEvent, ResourceRef } from '../src/check/types.js';
import { createTestCheckClient } from '../src/testing.js';

const workspace = (id: string): ResourceRef => ({ resourceTypeSlug: 'workspace', resourceExternalId: id });
const member = { organizationMembershipId: 'om_1' };

describe('runGuard', () => {
  it('returns cached decisions synchronously', async () => {
    const events: DecisionEvent[] = [];
    const checks = createTestCheckClient({ cache: {}, decide: ({ resource }) => 'resourceExternalId' in resource && resource.resourceExternalId === 'ws_yes', onDecision: (event) => events.push(event) });
    const guard = (id: string) => runGuard(checks, {}, () => member, 'workspace:view', () => workspace(id));

    const first = guard('ws_yes');
    expect(isThenable(first)).toBe(true);
    expect(await first).toMatchObject({ outcome: 'allowed' });
    await guard('ws_no');

    const allowed = guard('ws_yes');
    const denied = guard('ws_no');

    expect(isThenable(allowed)).toBe(false);
    expect(allowed).toMatchObject({ outcome: 'allowed', decisions: [{ status: 'allowed', source: 'cache' }] });
    expect(denied).toMatchObject({ outcome: 'denied', decisions: [{ status: 'denied', source: 'cache' }] });
    expect(checks.upstreamChecks).toHaveLength(2);
    expect(events.map((event) => event.cached)).toEqual([false, false, true, true]);
  });

  it('waits for unresolved app subjects', async () => {
    const checks = createTestCheckClient({ cache: {}, decide: () => true, memberships: { 'u1/acme': 'om_1' } });
    const subject = { userId: 'u1', organizationId: 'acme' };
    const guard = () => runGuard(checks, {}, () => subject, 'workspace:view', () => workspace('ws_1'));

    const first = guard();
    expect(isThenable(first)).toBe(true);
    expect(await first).toMatchObject({ outcome: 'allowed' });

    expect(isThenable(guard())).toBe(false);
  });

  it('needs every permission cached', async () => {
    const checks = createTestCheckClient({ cache: {}, decide: ({ permission }) => permission === 'workspace:view' });
    await runGuard(checks, {}, () => member, 'workspace:view', () => workspace('ws_1'));

    const allOf = runGuard(checks, {}, () => member, { allOf: ['workspace:view', 'workspace:edit'] }, () => workspace('ws_1'));
    expect(isThenable(allOf)).toBe(true);
    expect(await allOf).toMatchObject({ outcome: 'denied' });

    const anyOf = runGuard(checks, {}, () => member, { anyOf: ['workspace:edit', 'workspace:view'] }, () => workspace('ws_1'));
    expect(isThenable(anyOf)).toBe(false);
    expect(anyOf).toMatchObject({ outcome: 'allowed' });
  });

  it('is never synchronous without a cache', async () => {
    const checks = createTestCheckClient({ decide: () => true });
    await runGuard(checks, {}, () => member, 'workspace:view', () => workspace('ws_1'));

    expect(isThenable(runGuard(checks, {}, () => member, 'workspace:view', () => workspace('ws_1')))).toBe(true);
  });

  it('waits again after an invalidation', async () => {
    let allowed = true;
    const checks = createTestCheckClient({ cache: {}, decide: () => allowed });
    await runGuard(checks, {}, () => member, 'workspace:view', () => workspace('ws_1'));

    allowed = false;
    checks.invalidate({ kind: 'membership', organizationMembershipId: 'om_1' });
    const after = runGuard(checks, {}, () => member, 'workspace:view', () => workspace('ws_1'));

    expect(isThenable(after)).toBe(true);
    expect(await after).toMatchObject({ outcome: 'denied' });
  });

  it('turns resolver errors into a rejection', async () => {
    const checks = createTestCheckClient({ cache: {}, decide: () => true });
    const thrown = runGuard(checks, {}, () => member, 'workspace:view', () => {
      throw new Error('no such route parameter');
    });

    expect(isThenable(thrown)).toBe(true);
    await expect(thrown).rejects.toThrow('no such route parameter');
  });

  it('returns unauthenticated without a subject', () => {
    const checks = createTestCheckClient({ decide: () => true });

    expect(runGuard(checks, {}, () => undefined, 'workspace:view', () => workspace('ws_1'))).toEqual({ outcome: 'unauthenticated', decisions: [] });
    expect(checks.upstreamChecks).toHaveLength(0);
  });

  it('treats a null subject as no subject', () => {
    const checks = createTestCheckClient({ decide: () => true });
    const resolveNull = (): undefined => null as unknown as undefined;

    expect(runGuard(checks, {}, resolveNull, 'workspace:view', () => workspace('ws_1'))).toEqual({ outcome: 'unauthenticated', decisions: [] });
    expect(checks.upstreamChecks).toHaveLength(0);
  });

  it('rejects a subject without usable ids', async () => {
    const checks = createTestCheckClient({ decide: () => true });
    const malformed = { userId: undefined, organizationId: 'acme' } as unknown as { userId: string; organizationId: string };

    const result = runGuard(checks, {}, () => malformed, 'workspace:view', () => workspace('ws_1'));

    await expect(result).rejects.toThrow(/Invalid subject/);
    expect(checks.upstreamChecks).toHaveLength(0);
  });
});
