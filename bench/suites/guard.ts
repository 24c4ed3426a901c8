import { randomUUID } from 'node:crypto';
import { startChild } from '../lib/child.js';
import { startEmulatorProcess, totals } from '../lib/emulator.js';
import { assertClean, slicesOf, startLoadGenerator, type LoadGenerator, type LoadResult } from '../lib/load.js';
import { VIEWER, workspaceId, workspacesSeed } from '../lib/model.js';
import type { BenchOptions, Framework } from '../lib/options.js';
import { median } from '../lib/stats.js';

/** Throughput the guarded route must keep, as a share of the unguarded route's. */
export const GUARD_TARGETS: Record<Framework, number> = { express: 0.95, koa: 0.95, fastify: 0.9 };

/** One framework's measurements: the same route with and without the guard. */
export interface GuardRun {
  unguarded: LoadResult;
  guarded: LoadResult;
  /** Guarded requests per second divided by unguarded requests per second. */
  throughputRatio: number;
  /** Upstream checks the guarded measurement caused (cache misses). */
  upstreamChecks: number;
}

export interface GuardFrameworkResult {
  framework: Framework;
  runs: GuardRun[];
  median: {
    unguardedRequestsPerSecond: number;
    guardedRequestsPerSecond: number;
    throughputRatio: number;
    unguardedP50Ms: number;
    guardedP50Ms: number;
    unguardedP99Ms: number;
    guardedP99Ms: number;
    upstreamChecks: number;
  };
  target: number;
  targetMet: boolean;
}

async function expectStatus(url: string, membershipId: string, expected: number): Promise<void> {
  const response = await fetch(url, { headers: { 'x-membership-id': membershipId } });
  await response.arrayBuffer();
  if (response.status !== expected) {
    throw new Error(`GET ${url} returned ${response.status}, expected ${expected}: the benchmark app is not set up as intended.`);
  }
}

async function measureFramework(
  framework: Framework,
  options: BenchOptions,
  emulator: Awaited<ReturnType<typeof startEmulatorProcess>>,
  load: LoadGenerator,
  membershipId: string,
): Promise<GuardFrameworkResult> {
  const { durationSeconds, warmupSeconds, connections } = options.guard;
  const app = await startChild<{ port: number }>('app-server', {
    framework,
    emulatorUrl: emulator.url,
    apiKey: emulator.apiKey,
    redisUrl: options.redisUrl,
    prefix: `fgakit-bench-${randomUUID()}`,
  });

  try {
    const base = `http://127.0.0.1:${app.ready.port}`;
    const urls = { unguarded: `${base}/open/workspaces/${workspaceId(0)}`, guarded: `${base}/workspaces/${workspaceId(0)}` };
    const headers = { 'x-membership-id': membershipId };

    // The guard must really decide: the viewer may see ws-000 but not ws-001.
    await expectStatus(urls.guarded, membershipId, 200);
    await expectStatus(`${base}/workspaces/${workspaceId(1)}`, membershipId, 403);
    await expectStatus(urls.unguarded, membershipId, 200);

    const targets = [
      { name: 'unguarded', url: urls.unguarded, headers },
      { name: 'guarded', url: urls.guarded, headers },
    ];
    await load.run({ targets, connections, sliceSeconds: warmupSeconds, slices: 1 });

    const runs: GuardRun[] = [];
    for (let run = 0; run < options.runs; run++) {
      await emulator.clearRequestLog();
      const results = await load.run({ targets, connections, ...slicesOf(durationSeconds) });
      const unguarded = results.unguarded!;
      const guarded = results.guarded!;
      assertClean(`${framework} unguarded`, unguarded);
      assertClean(`${framework} guarded`, guarded);

      // Only the guarded route calls the check client, so every logged check is a cache miss of it.
      const upstreamChecks = totals(await emulator.countRequests()).checks;
      runs.push({ unguarded, guarded, throughputRatio: guarded.requestsPerSecond / unguarded.requestsPerSecond, upstreamChecks });
      console.log(
        `  ${framework} run ${run + 1}: unguarded ${Math.round(unguarded.requestsPerSecond)} req/s, guarded ${Math.round(guarded.requestsPerSecond)} req/s (${(
          (100 * guarded.requestsPerSecond) /
          unguarded.requestsPerSecond
        ).toFixed(1)}%)`,
      );
    }

    const throughputRatio = median(runs.map((run) => run.throughputRatio));
    return {
      framework,
      runs,
      median: {
        unguardedRequestsPerSecond: median(runs.map((run) => run.unguarded.requestsPerSecond)),
        guardedRequestsPerSecond: median(runs.map((run) => run.guarded.requestsPerSecond)),
        throughputRatio,
        unguardedP50Ms: median(runs.map((run) => run.unguarded.latencyP50Ms)),
        guardedP50Ms: median(runs.map((run) => run.guarded.latencyP50Ms)),
        unguardedP99Ms: median(runs.map((run) => run.unguarded.latencyP99Ms)),
        guardedP99Ms: median(runs.map((run) => run.guarded.latencyP99Ms)),
        upstreamChecks: median(runs.map((run) => run.upstreamChecks)),
      },
      target: GUARD_TARGETS[framework],
      targetMet: throughputRatio >= GUARD_TARGETS[framework],
    };
  } finally {
    await app.stop();
  }
}

/**
 * Guard overhead: for each framework, the same route with and without a
 * guard whose decision is cached, loaded by autocannon from another process.
 */
export async function runGuardSuite(options: BenchOptions): Promise<{ frameworks: GuardFrameworkResult[] }> {
  const emulator = await startEmulatorProcess(workspacesSeed(10));
  const load = await startLoadGenerator();

  try {
    const viewer = (await emulator.memberships()).find((membership) => membership.userExternalId === VIEWER);
    if (viewer === undefined) {
      throw new Error('the viewer membership is missing from the emulator');
    }

    const frameworks: GuardFrameworkResult[] = [];
    for (const framework of options.guard.frameworks) {
      frameworks.push(await measureFramework(framework, options, emulator, load, viewer.id));
    }
    return { frameworks };
  } finally {
    await load.stop();
    await emulator.stop();
  }
}
