import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { WorkOS } from '@workos-inc/node';
import { startEmulator, type Emulator } from '@fgakit/emulator';
import { Redis } from 'ioredis';
import { createWorkOS } from '../src/workos.js';
import { createSync, type CreateSyncOptions, type Sync } from '../src/sync/sync.js';
import { createSyncWorker, type CreateSyncWorkerOptions, type SyncWorker } from '../src/sync/worker.js';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const SEED_FILE = fileURLToPath(new URL('../../../examples/fga-seed.yaml', import.meta.url));

/** Returns a fresh key prefix, so tests never see each other's keys. */
export function freshPrefix(): string {
  return `fgakit-test-${randomUUID()}`;
}

/** Deletes every key of a prefix. */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        await redis.del(...keys);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A sync producer with no worker and no emulator. */
export interface ProducerFixture {
  prefix: string;
  sync: Sync;
  close(): Promise<void>;
}

export function setupProducer(options: Partial<CreateSyncOptions> = {}): ProducerFixture {
  const prefix = freshPrefix();
  const sync = createSync({ connection: REDIS_URL, prefix, ...options });
  return {
    prefix,
    sync,
    async close() {
      await sync.close();
      await deletePrefix(prefix);
    },
  };
}

/** Emulator, WorkOS client, producer and worker sharing a fresh prefix. */
export interface SyncFixture extends ProducerFixture {
  emulator: Emulator;
  workos: WorkOS;
  worker: SyncWorker;
  startWorker(options?: Partial<CreateSyncWorkerOptions>): SyncWorker;
}

/** Worker options that keep retries short in tests. */
export const FAST_RETRIES: Partial<CreateSyncWorkerOptions> = {
  retryBaseDelayMs: 20,
  maxRetryDelayMs: 200,
  prerequisiteDelayMs: 20,
  rateLimitDelayMs: 50,
  requestTimeoutMs: 2_000,
  sweepIntervalMs: 0,
};

export async function setupSync(workerOptions: Partial<CreateSyncWorkerOptions> = {}, syncOptions: Partial<CreateSyncOptions> = {}): Promise<SyncFixture> {
  const emulator = await startEmulator({ port: 0, seed: SEED_FILE });
  const workos = createWorkOS({ apiKey: emulator.apiKey, baseUrl: emulator.url });
  const producer = setupProducer(syncOptions);
  const workers: SyncWorker[] = [];

  const startWorker = (options: Partial<CreateSyncWorkerOptions> = {}): SyncWorker => {
    const worker = createSyncWorker({ workos, connection: REDIS_URL, prefix: producer.prefix, ...FAST_RETRIES, ...workerOptions, ...options });
    workers.push(worker);
    return worker;
  };

  const worker = startWorker();

  return {
    ...producer,
    emulator,
    workos,
    worker,
    startWorker,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await producer.close();
      await emulator.close();
    },
  };
}
