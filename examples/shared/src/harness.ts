import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createSyncWorker, createWorkOS, type SyncWorker } from '@fgakit/core';
import { startEmulator, type Emulator } from '@fgakit/emulator';
import { pino } from 'pino';
import { createExampleRuntime, type ExampleRuntime } from './runtime.js';

/** Everything an example app needs, started in one process for tests. */
export interface ExampleStack extends ExampleRuntime {
  emulator: Emulator;
  worker: SyncWorker;
  /** Queue and key prefix of this stack, fresh for every call. */
  prefix: string;
}

/** Cooldown of the test stack's circuit breaker, in milliseconds. */
export const CIRCUIT_COOLDOWN_MS = 300;

const seedPath = fileURLToPath(new URL('../../fga-seed.yaml', import.meta.url));

/**
 * Starts the emulator with the example model, a sync worker and the example
 * runtime on a fresh Redis prefix, so that tests can run in parallel against
 * one Redis. `close()` stops all of it.
 */
export async function startExampleStack(redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'): Promise<ExampleStack> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  const prefix = `fgakit-example-test-${randomUUID()}`;
  const emulator = await startEmulator({ port: 0, seed: seedPath });
  const workos = createWorkOS({ apiKey: emulator.apiKey, baseUrl: emulator.url });

  const worker = createSyncWorker({ workos, connection: redisUrl, prefix, logger, sweepIntervalMs: 0 });
  // A short cooldown, so that tests after the fault tests find the circuit closed again.
  const runtime = await createExampleRuntime({ workosBaseUrl: emulator.url, workosApiKey: emulator.apiKey, redisUrl, prefix }, logger, {
    cooldownMs: CIRCUIT_COOLDOWN_MS,
  });

  return {
    ...runtime,
    emulator,
    worker,
    prefix,
    async close() {
      await worker.close();
      await runtime.close();
      await emulator.close();
    },
  };
}
