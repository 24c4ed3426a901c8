import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  createCheckClient,
  createSync,
  createSyncWorker,
  createWorkOS,
  type CheckClient,
  type Sync,
  type SyncWorker,
} from '@fgakit/core';
import { startEmulator, type Emulator } from '@fgakit/emulator';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { createWorkspacesService, type WorkspacesService } from './service.js';
import { MemoryStore } from './store.js';

/** Everything an example app needs, started in one process for tests. */
export interface ExampleStack {
  emulator: Emulator;
  sync: Sync;
  worker: SyncWorker;
  checks: CheckClient;
  service: WorkspacesService;
  store: MemoryStore;
  logger: Logger;
  /** Queue and key prefix of this stack, fresh for every call. */
  prefix: string;
  /** Stops the worker, the sync producer, the check client and the emulator. */
  close(): Promise<void>;
}

const seedPath = fileURLToPath(new URL('../../fga-seed.yaml', import.meta.url));

/**
 * Starts the emulator with the example model, a sync worker and the check
 * client on a fresh Redis prefix, so that tests can run in parallel against
 * one Redis.
 */
export async function startExampleStack(redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'): Promise<ExampleStack> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  const prefix = `fgakit-example-test-${randomUUID()}`;
  const emulator = await startEmulator({ port: 0, seed: seedPath });
  const workos = createWorkOS({ apiKey: emulator.apiKey, baseUrl: emulator.url });

  const store = new MemoryStore();
  const sync = createSync({ connection: redisUrl, prefix, logger });
  const worker = createSyncWorker({ workos, connection: redisUrl, prefix, logger, sweepIntervalMs: 0 });
  const redis = new Redis(redisUrl);
  const checks = createCheckClient({
    workos,
    membershipLookup: sync,
    timeoutMs: 2_000,
    cache: { allowedTtlMs: 60_000, deniedTtlMs: 10_000 },
    invalidation: { redis, prefix },
    logger,
  });
  await checks.ready();
  const service = createWorkspacesService({ store, sync, checks });

  return {
    emulator,
    sync,
    worker,
    checks,
    service,
    store,
    logger,
    prefix,
    async close() {
      await worker.close();
      await sync.close();
      await checks.close();
      redis.disconnect();
      await emulator.close();
    },
  };
}
