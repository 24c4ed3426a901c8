import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '@fgakit/emulator';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../src/logger.js';
import { createSync, type Sync } from '../src/sync/sync.js';
import { createSyncWorker, type SyncWorker } from '../src/sync/worker.js';
import { createWorkOS } from '../src/workos.js';
import { FAST_RETRIES, SEED_FILE } from './sync-fixtures.js';

/** A private redis-server on a free port; the machine's shared Redis is never stopped. */
interface PrivateRedis {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function privateRedis(dir: string): Promise<PrivateRedis> {
  const port = await freePort();
  let process: ChildProcess | undefined;

  return {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      process = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'allkeys-lru'], {
        stdio: 'ignore',
      });
      const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
      // Refused connections are expected until the server listens.
      probe.on('error', () => undefined);
      await probe.connect().catch(() => undefined);
      await probe.ping();
      probe.disconnect();
    },
    async stop() {
      const exited = new Promise((resolve) => process?.once('exit', resolve));
      process?.kill('SIGTERM');
      await exited;
    },
  };
}

let cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.reverse()) {
    await step();
  }
  cleanup = [];
});

describe('Redis outage', () => {
  it('fails fast and resumes after restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fgakit-redis-'));
    const redis = await privateRedis(dir);
    await redis.start();
    const emulator: Emulator = await startEmulator({ port: 0, seed: SEED_FILE });
    const warnings: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (_details, message) => warnings.push(message), error: () => undefined };
    const sync: Sync = createSync({ connection: redis.url, prefix: 'outage', connectTimeoutMs: 1_000 });
    const worker: SyncWorker = createSyncWorker({
      workos: createWorkOS({ apiKey: emulator.apiKey, baseUrl: emulator.url }),
      connection: redis.url,
      prefix: 'outage',
      logger,
      ...FAST_RETRIES,
      sweepIntervalMs: 500,
      sweepAfterMs: 500,
    });
    cleanup.push(
      () => rm(dir, { recursive: true, force: true }),
      () => redis.stop(),
      () => emulator.close(),
      () => sync.close(),
      () => worker.close(),
    );

    await sync.waitUntilApplied(await sync.upsertOrganization({ id: 'acme', name: 'Acme' }), { timeoutMs: 10_000 });
    expect(warnings.some((w) => w.includes('maxmemory-policy'))).toBe(true);

    await redis.stop();
    const started = Date.now();
    await expect(sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme' })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);

    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await redis.start();

    const ticket = await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme' });
    await sync.waitUntilApplied(ticket, { timeoutMs: 30_000 });
    expect(await sync.getMembershipId('u1', 'acme')).toMatch(/^om_/);
  });
});
