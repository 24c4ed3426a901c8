import { expect } from 'vitest';
import { createWorkOS } from '../src/workos.js';
import type { SyncTicket } from '../src/sync/types.js';
import type { SyncFixture } from './sync-fixtures.js';

/** Deterministic pseudo-random numbers, so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * Records a burst of interleaved sign-ups, grants, revocations and removals
 * on a few users while the emulator fails, rate-limits and slows down, and
 * waits for every change. Then it asserts that WorkOS equals the expected
 * model, with no duplicate user, membership or assignment. The workers (in
 * process or in child processes) must already run.
 */
export async function convergeUnderFaults(fixture: SyncFixture, changes = 80): Promise<void> {
  const { sync, emulator } = fixture;
  emulator.addFault({ kind: 'error', status: 503, probability: 0.15 });
  emulator.addFault({ kind: 'rate_limit', probability: 0.05 });
  emulator.addFault({ kind: 'latency', latencyMs: 5, probability: 0.3 });

  const users = ['u1', 'u2', 'u3'];
  const workspaces = ['ws1', 'ws2'];
  const roles = ['workspace-admin', 'workspace-viewer'];
  const next = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;

  await sync.upsertOrganization({ id: 'acme', name: 'Acme' });
  for (const ws of workspaces) {
    await sync.upsertResource({ organizationId: 'acme', resourceTypeSlug: 'workspace', resourceId: ws, name: ws });
  }

  // The expected model, updated alongside every call.
  const members = new Map<string, Set<string>>();
  const tickets: SyncTicket[] = [];
  for (let i = 0; i < changes; i++) {
    const user = pick(users);
    const grant = { resource: { resourceTypeSlug: 'workspace', resourceId: pick(workspaces) }, role: pick(roles) };
    const key = `${grant.resource.resourceId}:${grant.role}`;
    const action = next();

    if (!members.has(user) || action < 0.15) {
      tickets.push(await sync.signUpUser({ userId: user, email: `${user}@example.com`, organizationId: 'acme' }));
      members.set(user, members.get(user) ?? new Set());
    } else if (action < 0.55) {
      tickets.push(await sync.grantResourceRole({ userId: user, organizationId: 'acme', ...grant }));
      members.get(user)!.add(key);
    } else if (action < 0.85) {
      tickets.push(await sync.revokeResourceRole({ userId: user, organizationId: 'acme', ...grant }));
      members.get(user)!.delete(key);
    } else {
      tickets.push(await sync.removeMembership({ userId: user, organizationId: 'acme' }));
      members.delete(user);
    }
  }

  for (const ticket of tickets) {
    await sync.waitUntilApplied(ticket, { timeoutMs: 30_000 });
  }

  emulator.clearFaults();
  const workos = createWorkOS({ apiKey: emulator.apiKey, baseUrl: emulator.url });
  const snapshot = emulator.snapshot();
  const organization = await workos.organizations.getOrganizationByExternalId('acme');
  expect(snapshot.users.length).toBe(new Set(snapshot.users.map((u) => u.external_id)).size);
  expect(snapshot.memberships.length).toBe(members.size);

  for (const user of users) {
    const expected = members.get(user);
    const found = snapshot.users.find((u) => u.external_id === user);
    const membership = found ? snapshot.memberships.find((m) => m.user_id === found.id && m.organization_id === organization.id) : undefined;
    expect(membership !== undefined, `membership of ${user}`).toBe(expected !== undefined);
    if (membership && expected) {
      const assignments = snapshot.role_assignments
        .filter((a) => a.organization_membership_id === membership.id)
        .map((a) => `${snapshot.resources.find((r) => r.id === a.resource_id)?.external_id ?? '?'}:${a.role_slug}`)
        .sort();
      expect(assignments, `grants of ${user}`).toEqual([...expected].sort());
    }
  }
}
