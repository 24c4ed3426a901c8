import type { JobsOptions, Queue } from 'bullmq';

/** Job priorities: lower runs first, so a removal starts before any waiting create or import. Jobs already running finish first. */
export const PRIORITY = { removal: 1, change: 10, bulk: 100 } as const;

/** Name of the custom backoff strategy the worker registers. */
export const BACKOFF_TYPE = 'fgakit';

/** Data of a sync job: the entity to bring to its desired state. */
export interface SyncJobData {
  entity: string;
}

/**
 * Enqueues one job per entity. Deduplication by entity keeps at most one job
 * per entity waiting. With `keepLastIfActive`, BullMQ adds a follow-up job
 * when a trigger arrives while that entity's job runs, so a change recorded
 * during a run is not dropped.
 */
export async function addSyncJobs(queue: Queue<SyncJobData>, entities: readonly string[], priority: number, attempts: number): Promise<void> {
  const options = (entity: string): JobsOptions => ({
    deduplication: { id: entity, keepLastIfActive: true },
    priority,
    attempts,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: { age: 3_600, count: 1_000 },
    removeOnFail: false,
  });

  await queue.addBulk(entities.map((entity) => ({ name: entity.slice(0, 1), data: { entity }, opts: options(entity) })));
}
