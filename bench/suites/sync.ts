import { randomUUID } from 'node:crypto';
import { createSync, createSyncWorker, type AppliedEvent } from '@fgakit/core';
import { Redis } from 'ioredis';
import { startEmulatorProcess, type EmulatorProcess } from '../lib/emulator.js';
import { ORGANIZATION, workspacesSeed } from '../lib/model.js';
import type { BenchOptions } from '../lib/options.js';
import { mapLimited, median, now, percentile } from '../lib/stats.js';

/** Intents recorded at once while enqueueing, as a busy app's request handlers would. */
const ENQUEUE_CONCURRENCY = 50;

/** One measurement: `intents` workspace creations from enqueue to applied in the emulator. */
export interface SyncRun {
  intents: number;
  latencyMs: number;
  /** Intents divided by the time from the first enqueue to the last applied change. */
  intentsPerSecond: number;
  /** Intents recorded per second by the producer (Lua script and job enqueue in Redis). */
  enqueuedPerSecond: number;
  /** Time from the start of an intent's enqueue call to its `applied` event. */
  convergenceP50Ms: number;
  convergenceP99Ms: number;
  /** WorkOS writes per intent as the worker reports them. */
  writesPerIntent: number;
  retries: number;
  failures: number;
}

export interface SyncSetting {
  intents: number;
  latencyMs: number;
  /** The worker's rate limit; null when it was off. */
  jobsPerSecond: number | null;
  runs: SyncRun[];
  median: SyncRun;
}

async function deleteKeys(redisUrl: string, marker: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${marker}*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length > 0) {
        await redis.unlink(...keys);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function measure(emulator: EmulatorProcess, options: BenchOptions, intents: number, latencyMs: number, jobsPerSecond: number): Promise<SyncRun> {
  const marker = randomUUID();
  const prefix = `fgakit-bench-${marker}`;
  const connection = options.redisUrl;
  await emulator.reset();

  const sync = createSync({ connection, prefix });
  const worker = createSyncWorker({ workos: emulator.createWorkOS(), connection, prefix, concurrency: options.sync.workerConcurrency, jobsPerSecond, sweepIntervalMs: 0 });
  const appliedAt = new Map<string, number>();
  let writes = 0;
  let retries = 0;
  let failures = 0;
  let onProgress = (): void => undefined;
  worker.on('applied', (event: AppliedEvent) => {
    appliedAt.set(event.entity, now());
    writes += event.writes;
    onProgress();
  });
  worker.on('retrying', () => retries++);
  worker.on('failed', () => {
    failures++;
    onProgress();
  });

  try {
    await sync.waitUntilApplied(await sync.upsertOrganization({ id: ORGANIZATION, name: 'Bench' }), { timeoutMs: 30_000 });
    appliedAt.clear();
    writes = 0;
    if (latencyMs > 0) {
      await emulator.addFault({ kind: 'latency', latencyMs });
    }

    const enqueuedAt = new Map<string, number>();
    const indexes = Array.from({ length: intents }, (_, index) => index);
    const allApplied = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`sync timed out: ${appliedAt.size} of ${intents} intents applied within ${options.sync.timeoutSeconds} s; raise --sync-concurrency or lower --sync-sizes.`)),
        options.sync.timeoutSeconds * 1_000,
      );
      onProgress = () => {
        if (failures > 0) {
          clearTimeout(timer);
          reject(new Error(`sync: ${failures} intents failed; the measurement is not valid.`));
        } else if (appliedAt.size >= intents) {
          clearTimeout(timer);
          resolve();
        }
      };
    });

    const started = now();
    await mapLimited(indexes, ENQUEUE_CONCURRENCY, async (index) => {
      const enqueueStarted = now();
      const ticket = await sync.upsertResource({
        organizationId: ORGANIZATION,
        resourceTypeSlug: 'workspace',
        resourceId: `ws-${index}`,
        name: `Workspace ${index}`,
      });
      enqueuedAt.set(ticket.changes[0]!.entity, enqueueStarted);
    });
    const enqueued = now();
    await allApplied;

    const convergence = [...enqueuedAt].map(([entity, enqueueStarted]) => appliedAt.get(entity)! - enqueueStarted);
    const lastApplied = Math.max(...appliedAt.values());
    return {
      intents,
      latencyMs,
      intentsPerSecond: intents / ((lastApplied - started) / 1_000),
      enqueuedPerSecond: intents / ((enqueued - started) / 1_000),
      convergenceP50Ms: percentile(convergence, 50),
      convergenceP99Ms: percentile(convergence, 99),
      writesPerIntent: writes / intents,
      retries,
      failures,
    };
  } finally {
    await worker.close();
    await sync.close();
    await emulator.clearFaults();
    await deleteKeys(connection, marker);
  }
}

/** Jobs per second passed to the worker to take its rate limiter out of the measurement. */
const UNLIMITED_JOBS_PER_SECOND = 1_000_000;

/** The worker's default rate limit, which keeps a job's few requests under WorkOS's 6,000 requests per minute. */
const DEFAULT_JOBS_PER_SECOND = 50;

/** Intents of the limiter setting: enough to reach the limit, few enough to keep the run short. */
const LIMITER_INTENTS = 250;

/**
 * Sync throughput: workspace creations recorded through `createSync` and
 * applied to the emulator by `createSyncWorker`, with and without added
 * emulator latency on every API request. The worker's rate limiter is off in
 * these settings, so that they show the pipeline's own capacity. One more
 * setting keeps the default limiter to show the rate it allows.
 */
export async function runSyncSuite(options: BenchOptions): Promise<{ workerConcurrency: number; settings: SyncSetting[] }> {
  // The model only: the organization and its workspaces are created through sync.
  const emulator = await startEmulatorProcess({ ...workspacesSeed(0), users: [], organizations: [] });
  const plan: { intents: number; latencyMs: number; jobsPerSecond: number | null }[] = [];
  for (const latencyMs of [0, options.sync.latencyMs]) {
    for (const intents of options.sync.sizes) {
      plan.push({ intents, latencyMs, jobsPerSecond: null });
    }
  }
  plan.push({ intents: Math.min(LIMITER_INTENTS, ...options.sync.sizes), latencyMs: 0, jobsPerSecond: DEFAULT_JOBS_PER_SECOND });

  const settings: SyncSetting[] = [];
  try {
    for (const { intents, latencyMs, jobsPerSecond } of plan) {
      const runs: SyncRun[] = [];
      for (let run = 0; run < options.runs; run++) {
        const result = await measure(emulator, options, intents, latencyMs, jobsPerSecond ?? UNLIMITED_JOBS_PER_SECOND);
        runs.push(result);
        console.log(
          `  ${intents} intents, latency ${latencyMs} ms, limiter ${jobsPerSecond === null ? 'off' : `${jobsPerSecond} jobs/s`}, run ${run + 1}: ` +
            `${Math.round(result.intentsPerSecond)} intents/s, convergence p50 ${Math.round(result.convergenceP50Ms)} ms, p99 ${Math.round(result.convergenceP99Ms)} ms`,
        );
      }

      const pick = (select: (run: SyncRun) => number): number => median(runs.map(select));
      settings.push({
        intents,
        latencyMs,
        jobsPerSecond,
        runs,
        median: {
          intents,
          latencyMs,
          intentsPerSecond: pick((run) => run.intentsPerSecond),
          enqueuedPerSecond: pick((run) => run.enqueuedPerSecond),
          convergenceP50Ms: pick((run) => run.convergenceP50Ms),
          convergenceP99Ms: pick((run) => run.convergenceP99Ms),
          writesPerIntent: pick((run) => run.writesPerIntent),
          retries: pick((run) => run.retries),
          failures: pick((run) => run.failures),
        },
      });
    }
  } finally {
    await emulator.stop();
  }

  return { workerConcurrency: options.sync.workerConcurrency, settings };
}
