import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultRule, FaultRuleInput, Seed } from '@fgakit/emulator';
import { WorkOS } from '@workos-inc/node';
import { startChild, type ChildHandle } from './child.js';

/** Route the emulator logs for an access check. */
export const CHECK_ROUTE = 'POST /authorization/organization_memberships/:id/check';

interface EmulatorReady {
  url: string;
  port: number;
  apiKey: string;
  seedLoadMs: number;
}

/** A membership as the emulator stores it, with its user's external id. */
export interface EmulatedMembership {
  id: string;
  userExternalId: string | null;
  organizationId: string;
}

/** The emulator running in a child process, with the calls the suites need. */
export interface EmulatorProcess {
  url: string;
  port: number;
  apiKey: string;
  /** Time the emulator took to build its state from the seed object, in milliseconds. */
  seedLoadMs: number;
  /** Counts the logged API requests by route pattern (the request log keeps the last 10,000). */
  countRequests(): Promise<Record<string, number>>;
  clearRequestLog(): Promise<void>;
  addFault(rule: FaultRuleInput): Promise<FaultRule>;
  clearFaults(): Promise<void>;
  reset(): Promise<void>;
  memberships(): Promise<EmulatedMembership[]>;
  /** A WorkOS SDK client for this emulator, with SDK retries off. */
  createWorkOS(): WorkOS;
  stop(): Promise<void>;
}

/** Starts the emulator in a child process with the seed object, passed through a temporary JSON file. */
export async function startEmulatorProcess(seed: Seed): Promise<EmulatorProcess> {
  const seedFile = join(tmpdir(), `fgakit-bench-seed-${randomUUID()}.json`);
  await writeFile(seedFile, JSON.stringify(seed));

  let child: ChildHandle<EmulatorReady>;
  try {
    child = await startChild<EmulatorReady>('emulator', { seedFile });
  } finally {
    await rm(seedFile, { force: true });
  }

  const { url, port, apiKey, seedLoadMs } = child.ready;
  return {
    url,
    port,
    apiKey,
    seedLoadMs,
    countRequests: () => child.request({ op: 'countRequests' }),
    clearRequestLog: () => child.request({ op: 'clearRequestLog' }),
    addFault: (rule) => child.request({ op: 'addFault', rule }),
    clearFaults: () => child.request({ op: 'clearFaults' }),
    reset: () => child.request({ op: 'reset' }),
    memberships: () => child.request({ op: 'memberships' }),
    createWorkOS: () => new WorkOS(apiKey, { apiHostname: '127.0.0.1', port, https: false, maxRetries: 0 }),
    stop: () => child.stop(),
  };
}

/** Sums the counts of every route, and of the check route alone. */
export function totals(counts: Record<string, number>): { all: number; checks: number } {
  const all = Object.values(counts).reduce((sum, count) => sum + count, 0);
  return { all, checks: counts[CHECK_ROUTE] ?? 0 };
}
