import { createCheckClient, type CheckClient, type CheckDecision, type Subject } from '@fgakit/core';
import type { WorkOS } from '@workos-inc/node';
import { startEmulatorProcess, totals, type EmulatorProcess } from '../lib/emulator.js';
import { ADMIN, ORGANIZATION, VIEWER, workspaceId, workspacesSeed } from '../lib/model.js';
import type { BenchOptions } from '../lib/options.js';
import { mapLimited, median, now, summarizeLatency } from '../lib/stats.js';

const WORKSPACES = 100;

/** Ways of making one check that the suite compares. */
const VARIANTS = ['sdk', 'fgakit', 'fgakitAppSubject', 'fgakitCached'] as const;
type Variant = (typeof VARIANTS)[number];

/** Sequential checks of one variant. */
export interface SequentialResult {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Upstream API calls per check, all routes. */
  upstreamCallsPerCheck: number;
  /** Upstream check calls per check. */
  upstreamChecksPerCheck: number;
}

export interface ChecksRun {
  sequential: Record<Variant, SequentialResult>;
  /** Checks per second with `throughputConcurrency` in flight, no cache. */
  throughput: { sdk: number; fgakit: number; ratio: number };
  /** Upstream checks for `concurrent` checks started together. */
  concurrent: { identicalSdk: number; identicalFgakit: number; distinctChecks: number; distinctFgakit: number };
}

interface Clients {
  workos: WorkOS;
  uncached: CheckClient;
  cached: CheckClient;
  membershipId: string;
}

function checkWith(clients: Clients, variant: Variant, index: number): Promise<boolean> {
  const resource = { resourceTypeSlug: 'workspace', resourceExternalId: workspaceId(index % WORKSPACES) };
  const allowed = (decision: CheckDecision): boolean => {
    if (decision.status === 'undecided') {
      throw decision.error;
    }
    return decision.status === 'allowed';
  };

  switch (variant) {
    case 'sdk':
      return clients.workos.authorization
        .check({ organizationMembershipId: clients.membershipId, permissionSlug: 'workspace:view', ...resource })
        .then((result) => result.authorized);
    case 'fgakit':
      return clients.uncached.check({ organizationMembershipId: clients.membershipId, permission: 'workspace:view', resource }).then(allowed);
    case 'fgakitAppSubject':
      return clients.uncached.check({ userId: VIEWER, organizationId: ORGANIZATION, permission: 'workspace:view', resource }).then(allowed);
    case 'fgakitCached':
      return clients.cached.check({ organizationMembershipId: clients.membershipId, permission: 'workspace:view', resource }).then(allowed);
  }
}

async function measureSequential(emulator: EmulatorProcess, clients: Clients, variant: Variant, count: number): Promise<SequentialResult> {
  await emulator.clearRequestLog();
  const samples: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = now();
    await checkWith(clients, variant, index);
    samples.push(now() - started);
  }

  const counted = totals(await emulator.countRequests());
  const latency = summarizeLatency(samples);
  return {
    p50Ms: latency.p50,
    p99Ms: latency.p99,
    meanMs: latency.mean,
    upstreamCallsPerCheck: counted.all / count,
    upstreamChecksPerCheck: counted.checks / count,
  };
}

async function measureThroughput(clients: Clients, variant: 'sdk' | 'fgakit', count: number, concurrency: number): Promise<number> {
  const indexes = Array.from({ length: count }, (_, index) => index);
  const started = now();
  await mapLimited(indexes, concurrency, (index) => checkWith(clients, variant, index));
  return count / ((now() - started) / 1000);
}

/** Starts `count` checks at once over `distinct` resources and returns the upstream checks they made. */
async function countConcurrent(emulator: EmulatorProcess, check: (index: number) => Promise<unknown>, count: number, distinct: number): Promise<number> {
  await emulator.clearRequestLog();
  await Promise.all(Array.from({ length: count }, (_, index) => check(index % distinct)));
  return totals(await emulator.countRequests()).checks;
}

/**
 * Uncached checks against the emulator: latency and upstream calls per check
 * through fgakit and straight through the SDK, throughput at a fixed
 * concurrency, and how many upstream checks concurrent identical checks make.
 */
export async function runChecksSuite(options: BenchOptions): Promise<{ runs: ChecksRun[]; median: ChecksRun }> {
  const settings = options.checks;
  const emulator = await startEmulatorProcess(workspacesSeed(WORKSPACES));
  const memberships = await emulator.memberships();
  const membershipId = memberships.find((membership) => membership.userExternalId === VIEWER)?.id;
  if (membershipId === undefined || !memberships.some((membership) => membership.userExternalId === ADMIN)) {
    throw new Error('the seeded memberships are missing from the emulator');
  }

  const runs: ChecksRun[] = [];
  try {
    for (let run = 0; run < options.runs; run++) {
      // Fresh clients per run, so that the subject cache and the decision
      // cache start empty each time.
      const clients: Clients = {
        workos: emulator.createWorkOS(),
        uncached: createCheckClient({ workos: emulator.createWorkOS() }),
        cached: createCheckClient({ workos: emulator.createWorkOS(), cache: {} }),
        membershipId,
      };

      try {
        // Warm-up: JIT, keep-alive connections, the subject cache and the
        // decision cache, so that the figures describe the steady state.
        for (const variant of VARIANTS) {
          for (let index = 0; index < WORKSPACES; index++) {
            await checkWith(clients, variant, index);
          }
        }

        const order = run % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
        const sequential: Partial<Record<Variant, SequentialResult>> = {};
        for (const variant of order) {
          sequential[variant] = await measureSequential(emulator, clients, variant, settings.sequential);
        }

        const sdkThroughput = await measureThroughput(clients, 'sdk', settings.throughputChecks, settings.throughputConcurrency);
        const fgakitThroughput = await measureThroughput(clients, 'fgakit', settings.throughputChecks, settings.throughputConcurrency);

        const subject: Subject = { organizationMembershipId: membershipId };
        const fgakitCheck = (index: number): Promise<CheckDecision> =>
          clients.uncached.check({ ...subject, permission: 'workspace:view', resource: { resourceTypeSlug: 'workspace', resourceExternalId: workspaceId(index) } });
        const concurrent = {
          identicalSdk: await countConcurrent(emulator, (index) => checkWith(clients, 'sdk', index), settings.concurrent, 1),
          identicalFgakit: await countConcurrent(emulator, fgakitCheck, settings.concurrent, 1),
          distinctChecks: settings.distinct,
          distinctFgakit: await countConcurrent(emulator, fgakitCheck, settings.concurrent, settings.distinct),
        };

        const result: ChecksRun = {
          sequential: sequential as Record<Variant, SequentialResult>,
          throughput: { sdk: sdkThroughput, fgakit: fgakitThroughput, ratio: fgakitThroughput / sdkThroughput },
          concurrent,
        };
        runs.push(result);
        console.log(
          `  run ${run + 1}: p50 sdk ${result.sequential.sdk.p50Ms.toFixed(2)} ms, fgakit ${result.sequential.fgakit.p50Ms.toFixed(2)} ms, cached ${result.sequential.fgakitCached.p50Ms.toFixed(3)} ms; ` +
            `${Math.round(sdkThroughput)} vs ${Math.round(fgakitThroughput)} checks/s; ${concurrent.identicalFgakit} upstream for ${settings.concurrent} identical`,
        );
      } finally {
        await clients.uncached.close();
        await clients.cached.close();
      }
    }
  } finally {
    await emulator.stop();
  }

  return { runs, median: medianRun(runs) };
}

function medianRun(runs: ChecksRun[]): ChecksRun {
  const pick = (select: (run: ChecksRun) => number): number => median(runs.map(select));
  const sequential = Object.fromEntries(
    VARIANTS.map((variant) => [
      variant,
      {
        p50Ms: pick((run) => run.sequential[variant].p50Ms),
        p99Ms: pick((run) => run.sequential[variant].p99Ms),
        meanMs: pick((run) => run.sequential[variant].meanMs),
        upstreamCallsPerCheck: pick((run) => run.sequential[variant].upstreamCallsPerCheck),
        upstreamChecksPerCheck: pick((run) => run.sequential[variant].upstreamChecksPerCheck),
      },
    ]),
  ) as Record<Variant, SequentialResult>;

  return {
    sequential,
    throughput: { sdk: pick((run) => run.throughput.sdk), fgakit: pick((run) => run.throughput.fgakit), ratio: pick((run) => run.throughput.ratio) },
    concurrent: {
      identicalSdk: pick((run) => run.concurrent.identicalSdk),
      identicalFgakit: pick((run) => run.concurrent.identicalFgakit),
      distinctChecks: pick((run) => run.concurrent.distinctChecks),
      distinctFgakit: pick((run) => run.concurrent.distinctFgakit),
    },
  };
}
