import { createCheckClient, createSync, createWorkOS, type CheckClient, type CircuitBreakerOptions, type Sync } from '@fgakit/core';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ExampleConfig } from './config.js';
import { createWorkspacesService, type WorkspacesService } from './service.js';
import { MemoryStore } from './store.js';

/** The parts an example app runs on, whatever its framework. */
export interface ExampleRuntime {
  sync: Sync;
  checks: CheckClient;
  service: WorkspacesService;
  store: MemoryStore;
  logger: Logger;
  /** Closes the sync producer, the check client and its Redis connection. */
  close(): Promise<void>;
}

/**
 * Creates the store, lifecycle sync, check client and service of an example
 * app. Decisions are cached across requests, and the sync worker's
 * invalidations drop the ones a change made stale.
 */
export async function createExampleRuntime(
  config: Pick<ExampleConfig, 'workosBaseUrl' | 'workosApiKey' | 'redisUrl' | 'prefix'>,
  logger: Logger,
  circuitBreaker?: CircuitBreakerOptions,
): Promise<ExampleRuntime> {
  const workos = createWorkOS({ apiKey: config.workosApiKey, baseUrl: config.workosBaseUrl });
  const sync = createSync({ connection: config.redisUrl, prefix: config.prefix, logger });
  const redis = new Redis(config.redisUrl);
  const checks = createCheckClient({
    workos,
    membershipLookup: sync,
    timeoutMs: 2_000,
    cache: { allowedTtlMs: 60_000, deniedTtlMs: 10_000 },
    invalidation: { redis, prefix: config.prefix },
    ...(circuitBreaker === undefined ? {} : { circuitBreaker }),
    logger,
  });
  await checks.ready();

  const store = new MemoryStore();
  const service = createWorkspacesService({ store, sync, checks });

  return {
    sync,
    checks,
    service,
    store,
    logger,
    async close() {
      await sync.close();
      await checks.close();
      redis.disconnect();
    },
  };
}

/**
 * Runs `stop` on the first SIGINT or SIGTERM, logs the stop and exits: 0
 * after a clean stop, 1 when stopping failed.
 */
export function stopOnSignal(logger: Logger, name: string, stop: () => Promise<void>): void {
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    logger.info({ signal }, `${name} stopping`);
    try {
      await stop();
      logger.info({}, `${name} stopped`);
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, `${name} failed to stop cleanly`);
      process.exit(1);
    }
  };

  process.once('SIGINT', (signal) => void shutdown(signal));
  process.once('SIGTERM', (signal) => void shutdown(signal));
}
