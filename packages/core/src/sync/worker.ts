import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { WorkOS } from '@workos-inc/node';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { invalidationChannel, type DecisionInvalidation } from '../invalidation.js';
import { silentLogger, type Logger } from '../logger.js';
import { openRedis, warnUnlessNoEviction, type RedisConnection } from '../redis.js';
import { applyDesiredState } from './apply.js';
import { classifyWorkOSError, PermanentSyncError, PrerequisitePendingError } from './errors.js';
import { addSyncJobs, BACKOFF_TYPE, PRIORITY, type SyncJobData } from './jobs.js';
import { QUEUE_NAME } from './keys.js';
import { DesiredStateStore } from './store.js';
import { withoutSdkRetries } from '../workos.js';

/** Payload of the worker's `applied` event. */
export interface AppliedEvent {
  entity: string;
  version: number;
  /** WorkOS writes made; 0 when WorkOS already matched. */
  writes: number;
  jobId: string | undefined;
  durationMs: number;
}

/** Payload of the worker's `retrying` event. */
export interface RetryingEvent {
  entity: string;
  /** Attempts made so far, counting the one that failed. */
  attempt: number;
  delayMs: number;
  error: Error;
}

/** Payload of the worker's `rate-limited` event. */
export interface RateLimitedEvent {
  entity: string;
  /** How long the whole queue waits before the next job. */
  delayMs: number;
}

/** Payload of the worker's `failed` event: the job is in the failed set. */
export interface FailedEvent {
  entity: string;
  version: number;
  reason: string;
  jobId: string | undefined;
}

/** Payload of the worker's `paused` event. */
export interface PausedEvent {
  reason: string;
}

/** Events of {@link SyncWorker}. */
export interface SyncWorkerEvents {
  applied: [event: AppliedEvent];
  retrying: [event: RetryingEvent];
  'rate-limited': [event: RateLimitedEvent];
  failed: [event: FailedEvent];
  /** The queue was paused because WorkOS rejected the API key (401 or 403). */
  paused: [event: PausedEvent];
}

/** Options of {@link createSyncWorker}. */
export interface CreateSyncWorkerOptions {
  /**
   * WorkOS client. The worker makes its own copy with the SDK's retries
   * switched off and a timeout on every call, because retries belong to the
   * queue.
   */
  workos: WorkOS;
  connection: RedisConnection;
  /** @defaultValue `'fgakit'` */
  prefix?: string;
  /** @defaultValue {@link silentLogger} */
  logger?: Logger;
  /**
   * Jobs run at once by this worker.
   * @defaultValue `5`
   */
  concurrency?: number;
  /**
   * Timeout of each WorkOS call, in milliseconds.
   * @defaultValue `10000`
   */
  requestTimeoutMs?: number;
  /**
   * Base delay of the exponential backoff after a network error, timeout or
   * 5xx, in milliseconds. Attempt n waits between half and all of
   * `base × 2^(n-1)`, capped at `maxRetryDelayMs`.
   * @defaultValue `1000`
   */
  retryBaseDelayMs?: number;
  /** @defaultValue `60000` */
  maxRetryDelayMs?: number;
  /**
   * Base delay while a prerequisite (organization, user, parent resource) is
   * not in WorkOS yet, in milliseconds.
   * @defaultValue `250`
   */
  prerequisiteDelayMs?: number;
  /**
   * Maximum time a job waits for a prerequisite recorded in sync to reach
   * WorkOS, counted from the job's creation, in milliseconds. A prerequisite
   * that failed permanently fails its dependents at once.
   * @defaultValue `900000` (15 minutes)
   */
  maxPrerequisiteWaitMs?: number;
  /**
   * Delay applied to the whole queue after a 429 without `Retry-After`, in milliseconds.
   * @defaultValue `1000`
   */
  rateLimitDelayMs?: number;
  /**
   * 429 responses a job may get before further ones count as failed attempts.
   * @defaultValue `20`
   */
  maxRateLimitedAttempts?: number;
  /**
   * Jobs started per second by this worker, BullMQ's `limiter`. WorkOS allows
   * 6000 requests per minute per API key; a job makes a few requests.
   * @defaultValue `50`
   */
  jobsPerSecond?: number;
  /**
   * How often the sweeper looks for entities whose synced version lags, in
   * milliseconds; 0 disables it.
   * @defaultValue `30000`
   */
  sweepIntervalMs?: number;
  /**
   * How long an entity must have lagged before the sweeper enqueues it again, in milliseconds.
   * @defaultValue `30000`
   */
  sweepAfterMs?: number;
  /**
   * Attempts of jobs the sweeper enqueues.
   * @defaultValue `12`
   */
  attempts?: number;
  /**
   * BullMQ's job lock duration, in milliseconds. A worker that dies keeps its
   * jobs this long before another worker's stalled check takes them over.
   * @defaultValue `30000`
   */
  lockDurationMs?: number;
  /**
   * How often BullMQ looks for stalled jobs, in milliseconds. Give every
   * worker of a queue the same value: each stalled check holds off the
   * checks of all workers for its own interval, so one worker with a longer
   * interval delays the recovery of jobs a crashed worker left behind.
   * @defaultValue `30000`
   */
  stalledIntervalMs?: number;
}

/** A running sync worker. */
export interface SyncWorker extends EventEmitter<SyncWorkerEvents> {
  /** Enqueues lagging entities again; returns how many. The sweeper calls it on a schedule. */
  sweep(): Promise<number>;
  /** Resumes a queue paused after a 401 or 403. */
  resume(): Promise<void>;
  /** Stops taking jobs, waits for running ones, and closes the connections it opened. */
  close(): Promise<void>;
}

interface ProcessResult {
  entity: string;
  version: number;
  writes: number;
}

function jitter(delayMs: number): number {
  return Math.round(delayMs / 2 + Math.random() * (delayMs / 2));
}

/**
 * Starts a worker that brings WorkOS to the desired state that `createSync`
 * records.
 *
 * @remarks
 * Delivery is at least once: a job may run more than once, which is safe
 * because each run reads WorkOS first. Several workers may share one Redis.
 *
 * @example
 * const worker = createSyncWorker({ workos, connection: 'redis://127.0.0.1:6379', logger });
 * worker.on('failed', (event) => logger.error(event, 'sync failed'));
 */
export function createSyncWorker(options: CreateSyncWorkerOptions): SyncWorker {
  const prefix = options.prefix ?? 'fgakit';
  const logger = options.logger ?? silentLogger;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 1_000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
  const prerequisiteDelayMs = options.prerequisiteDelayMs ?? 250;
  const maxPrerequisiteWaitMs = options.maxPrerequisiteWaitMs ?? 900_000;
  const rateLimitDelayMs = options.rateLimitDelayMs ?? 1_000;
  const maxRateLimitedAttempts = options.maxRateLimitedAttempts ?? 20;
  const sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
  const sweepAfterMs = options.sweepAfterMs ?? 30_000;
  const attempts = options.attempts ?? 12;
  const lockTtlMs = options.lockDurationMs ?? 30_000;

  const workos = withoutSdkRetries(options.workos, requestTimeoutMs);
  const client: Redis | Cluster = openRedis(options.connection, 'worker', 'fgakit-sync-worker');
  const store = new DesiredStateStore(client, prefix);
  const queue = new Queue<SyncJobData>(QUEUE_NAME, { connection: client, prefix: store.keys.queuePrefix });
  const events = new EventEmitter<SyncWorkerEvents>();
  const channel = invalidationChannel(prefix);

  client.on('error', (error: Error) => logger.warn({ err: error }, 'Redis connection error; ioredis reconnects'));
  queue.on('error', (error: Error) => logger.warn({ err: error }, 'BullMQ queue error'));

  const context = {
    workos,
    store,
    enqueue: (entities: readonly string[]) => addSyncJobs(queue, entities, PRIORITY.change, attempts),
    invalidate: async (invalidation: DecisionInvalidation): Promise<void> => {
      await client.publish(channel, JSON.stringify(invalidation));
    },
  };

  async function fail(job: Job<SyncJobData>, version: number, reason: string): Promise<never> {
    await store.markFailed(job.data.entity, version, reason);
    logger.error({ entity: job.data.entity, version, jobId: job.id, reason }, 'Sync change failed permanently; the job is in the failed set');
    events.emit('failed', { entity: job.data.entity, version, reason, jobId: job.id });
    throw new UnrecoverableError(reason);
  }

  async function handleError(job: Job<SyncJobData>, token: string | undefined, version: number, error: unknown): Promise<never> {
    const entity = job.data.entity;
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

    if (error instanceof PermanentSyncError) {
      return await fail(job, version, error.message);
    }

    if (error instanceof PrerequisitePendingError) {
      // Waiting does not use up attempts: a prerequisite may sit behind a
      // long backlog or an outage. The wait is bounded in time instead.
      const waitingKey = `${store.keys.state}pw:${job.id ?? entity}`;
      const waits = await client.incr(waitingKey);
      await client.pexpire(waitingKey, maxPrerequisiteWaitMs + 60_000);
      if (Date.now() - job.timestamp > maxPrerequisiteWaitMs) {
        return await fail(job, version, `gave up after waiting ${maxPrerequisiteWaitMs} ms: ${error.message}`);
      }

      const delayMs = jitter(Math.min(prerequisiteDelayMs * 2 ** Math.min(waits - 1, 10), 5_000));
      logger.debug({ entity, delayMs, reason: error.message }, 'Sync change waits for a prerequisite');
      await job.moveToDelayed(Date.now() + delayMs, token);
      throw new DelayedError();
    }

    const failure = classifyWorkOSError(error);
    const reason = failure.status === undefined ? failure.message : `WorkOS returned ${failure.status}: ${failure.message}`;

    if (failure.kind === 'permanent') {
      return await fail(job, version, reason);
    }

    if (failure.kind === 'unauthorized') {
      // Every job would fail the same way until the key is fixed: pause the
      // whole queue and keep this job, without using up its attempts.
      await queue.pause();
      logger.error({ entity, status: failure.status }, `Paused the sync queue: ${reason}. Fix the WorkOS API key, then resume the queue.`);
      events.emit('paused', { reason });
      await job.moveToDelayed(Date.now() + 1_000, token);
      throw new DelayedError();
    }

    if (failure.kind === 'rate-limited') {
      const count = await client.incr(`${store.keys.state}rl:${job.id ?? entity}`);
      await client.pexpire(`${store.keys.state}rl:${job.id ?? entity}`, 3_600_000);
      if (count <= maxRateLimitedAttempts) {
        // A missing or zero Retry-After still needs a pause: BullMQ rejects a 0 ms limit.
        const retryAfterMs = failure.retryAfterMs !== undefined && failure.retryAfterMs > 0 ? failure.retryAfterMs : rateLimitDelayMs;
        const delayMs = Math.min(retryAfterMs, maxRetryDelayMs);
        await queue.rateLimit(delayMs);
        logger.warn({ entity, delayMs }, 'WorkOS rate limit reached; slowing the sync queue down');
        events.emit('rate-limited', { entity, delayMs });

        // Delay this job itself instead of throwing Worker.RateLimitError:
        // a job moved back to wait that way can sit until BullMQ's next drain
        // poll (5 s by default), long after the limit expired.
        await job.moveToDelayed(Date.now() + delayMs, token);
        throw new DelayedError();
      }
    }

    if (lastAttempt) {
      return await fail(job, version, `${reason} (after ${job.attemptsMade + 1} attempts)`);
    }

    throw error instanceof Error ? error : new Error(String(error));
  }

  async function processJob(job: Job<SyncJobData>, token?: string): Promise<ProcessResult | undefined> {
    const entity = job.data.entity;
    const lockToken = `${job.id ?? ''}:${randomUUID()}`;

    if (!(await store.lock(entity, lockToken, lockTtlMs))) {
      // Another run converges this entity (a stalled job taken over, or a
      // failed job retried by hand); try again shortly.
      await job.moveToDelayed(Date.now() + 500, token);
      throw new DelayedError();
    }

    const keepLock = setInterval(() => {
      void client.pexpire(store.keys.lock(entity), lockTtlMs).catch(() => undefined);
    }, lockTtlMs / 3);

    try {
      let result: ProcessResult | undefined;

      // A change recorded during the run moves the desired version; run again
      // at once instead of waiting for the follow-up job.
      for (let round = 0; round < 3; round++) {
        const record = await store.read(entity);
        if (!record || record.synced >= record.version) {
          return result;
        }

        const started = Date.now();
        let writes: number;
        try {
          writes = (await applyDesiredState(context, record)).writes;
        } catch (error) {
          return await handleError(job, token, record.version, error);
        }

        const inSync = await store.markSynced(entity, record.version);
        result = { entity, version: record.version, writes };
        logger.debug({ entity, version: record.version, writes }, 'Applied sync change');
        events.emit('applied', { entity, version: record.version, writes, jobId: job.id, durationMs: Date.now() - started });

        if (inSync) {
          return result;
        }
      }

      return result;
    } finally {
      clearInterval(keepLock);
      await store.unlock(entity, lockToken).catch(() => undefined);
    }
  }

  const worker = new Worker<SyncJobData, ProcessResult | undefined>(QUEUE_NAME, processJob, {
    connection: client,
    prefix: store.keys.queuePrefix,
    concurrency: options.concurrency ?? 5,
    lockDuration: lockTtlMs,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    limiter: { max: options.jobsPerSecond ?? 50, duration: 1_000 },
    settings: {
      backoffStrategy: (attemptsMade, type, error, job) => {
        const delayMs = jitter(Math.min(retryBaseDelayMs * 2 ** Math.max(0, attemptsMade - 1), maxRetryDelayMs));

        if (type === BACKOFF_TYPE && job && error) {
          const entity = (job.data as SyncJobData).entity;
          logger.info({ entity, attempt: attemptsMade, delayMs, err: error }, 'Sync change failed; retrying');
          events.emit('retrying', { entity, attempt: attemptsMade, delayMs, error });
        }

        return delayMs;
      },
    },
  });

  worker.on('error', (error) => logger.error({ err: error }, 'Sync worker error'));
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'Sync job stalled; BullMQ moved it back to the queue'));

  async function sweep(): Promise<number> {
    const lagging = await store.lagging(Date.now() - sweepAfterMs, 1_000);
    if (lagging.length === 0) {
      return 0;
    }

    const progress = await store.progress(lagging.map((entry) => entry.key));
    const due = lagging.filter((_, index) => {
      const state = progress[index];
      return state !== undefined && state.version > state.synced && state.failedVersion < state.version;
    });

    if (due.length > 0) {
      await addSyncJobs(queue, due.map((entry) => entry.key), PRIORITY.change, attempts);
      logger.info({ count: due.length }, 'Sweeper enqueued lagging sync entities');
    }

    return due.length;
  }

  const sweeper =
    sweepIntervalMs > 0
      ? setInterval(() => {
          sweep().catch((error: unknown) => logger.warn({ err: error }, 'Sync sweep failed; retrying at the next interval'));
        }, sweepIntervalMs)
      : undefined;
  sweeper?.unref();

  void warnUnlessNoEviction(client, logger);

  return Object.assign(events, {
    sweep,

    async resume(): Promise<void> {
      await queue.resume();
      logger.info({}, 'Resumed the sync queue');
    },

    async close(): Promise<void> {
      clearInterval(sweeper);

      // Closing while BullMQ still sets its connections up leaves rejected
      // commands that no caller awaits, so let the set-up finish first.
      await worker.waitUntilReady().catch(() => undefined);
      await queue.waitUntilReady().catch(() => undefined);
      await worker.close();
      await queue.close();
      await client.quit().catch(() => undefined);
    },
  });
}
