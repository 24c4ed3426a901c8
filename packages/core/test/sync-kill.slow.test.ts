import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { SyncTicket } from '../src/sync/types.js';
import { REDIS_URL, setupSync, type SyncFixture } from './sync-fixtures.js';

// The loader runs the worker in this very process, so SIGKILL reaches the worker itself.
const TSX_LOADER = new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const WORKER = fileURLToPath(new URL('./fixtures/sync-worker-process.ts', import.meta.url));

let fixture: SyncFixture;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children) {
    child.kill('SIGKILL');
  }
  await fixture.close();
});

function startWorkerProcess(): { child: ChildProcess; applied: () => number } {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, WORKER], {
    env: {
      ...process.env,
      REDIS_URL,
      FGAKIT_PREFIX: fixture.prefix,
      WORKOS_API_KEY: fixture.emulator.apiKey,
      WORKOS_BASE_URL: fixture.emulator.url,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let applied = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    applied += chunk.toString().split('\n').filter((line) => line.startsWith('applied')).length;
  });
  return { child, applied: () => applied };
}

describe('worker killed mid-job', () => {
  it('converges after SIGKILL and restart', async () => {
    // Every worker of a queue must share the stalled-job interval: the first
    // stalled check of a worker throttles the next checks of all of them.
    fixture = await setupSync({ lockDurationMs: 2_000, stalledIntervalMs: 1_000 });
    await fixture.worker.close();
    const { sync, emulator } = fixture;
    emulator.addFault({ kind: 'latency', latencyMs: 40 });

    const first = startWorkerProcess();
    const tickets: SyncTicket[] = [await sync.upsertOrganization({ id: 'acme', name: 'Acme' })];
    for (let i = 0; i < 30; i++) {
      tickets.push(await sync.signUpUser({ userId: `u${i}`, email: `u${i}@example.com`, organizationId: 'acme' }));
    }

    await expect.poll(first.applied, { timeout: 30_000 }).toBeGreaterThan(5);
    first.child.kill('SIGKILL');
    for (let i = 0; i < 30; i += 3) {
      tickets.push(await sync.removeMembership({ userId: `u${i}`, organizationId: 'acme' }));
    }

    startWorkerProcess();
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
