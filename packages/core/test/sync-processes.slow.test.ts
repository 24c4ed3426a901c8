import { afterEach, describe, expect, it } from 'vitest';
import type { SyncTicket } from '../src/sync/types.js';
import { convergeUnderFaults } from './sync-chaos-scenario.js';
import { setupSync, type SyncFixture } from './sync-fixtures.js';
import { startWorkerProcess, type WorkerProcess } from './sync-processes.js';

let fixture: SyncFixture;
const children: WorkerProcess[] = [];

afterEach(async () => {
  for (const worker of children.splice(0)) {
    worker.child.kill('SIGKILL');
  }
  await fixture.close();
});

describe('worker killed mid-job', () => {
  it('converges after SIGKILL and restart', async () => {
    // Every worker of a queue must share the stalled-job interval: the first
    // stalled check of a worker throttles the next checks of all of them.
    fixture = await setupSync({ lockDurationMs: 2_000, stalledIntervalMs: 1_000 });
    await fixture.worker.close();
    const { sync, emulator } = fixture;
    emulator.addFault({ kind: 'latency', latencyMs: 40 });

    const first = startWorkerProcess(fixture);
    children.push(first);
    const tickets: SyncTicket[] = [await sync.upsertOrganization({ id: 'acme', name: 'Acme' })];
    for (let i = 0; i < 30; i++) {
      tickets.push(await sync.signUpUser({ userId: `u${i}`, email: `u${i}@example.com`, organizationId: 'acme' }));
    }

    await expect.poll(first.applied, { timeout: 30_000 }).toBeGreaterThan(5);
    first.child.kill('SIGKILL');
    for (let i = 0; i < 30; i += 3) {
      tickets.push(await sync.removeMembership({ userId: `u${i}`, organizationId: 'acme' }));
    }

    children.push(startWorkerProcess(fixture));
    for (const ticket of tickets) {
      await sync.waitUntilApplied(ticket, { timeoutMs: 60_000 });
    }

    emulator.clearFaults();
    const snapshot = emulator.snapshot();
    expect(snapshot.users).toHaveLength(30);
    expect(new Set(snapshot.users.map((u) => u.external_id)).size).toBe(30);
    expect(snapshot.memberships).toHaveLength(20);
    expect(snapshot.organizations.filter((o) => o.external_id === 'acme')).toHaveLength(1);
  });
});

describe('two worker processes', () => {
  it('converge interleaved changes under faults', async () => {
    fixture = await setupSync({ lockDurationMs: 2_000, stalledIntervalMs: 1_000 });
    await fixture.worker.close();
    const workers = [startWorkerProcess(fixture), startWorkerProcess(fixture)];
    children.push(...workers);

    await convergeUnderFaults(fixture, 120);

    // Both processes took part, so the per-entity guarantees held across them.
    for (const worker of workers) {
      expect(worker.applied()).toBeGreaterThan(0);
    }
  });
});
