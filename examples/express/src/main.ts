import { createCheckClient, createSync, createWorkOS } from '@fgakit/core';
import { createWorkspacesService, MemoryStore, readConfig } from '@fgakit-examples/shared';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createApp } from './app.js';

const config = readConfig();
const logger = pino({ name: 'fgakit-example-express', level: config.logLevel });

const workos = createWorkOS({ apiKey: config.workosApiKey, baseUrl: config.workosBaseUrl });
const sync = createSync({ connection: config.redisUrl, prefix: config.prefix, logger });
// Decisions are cached across requests; the sync worker's invalidations drop
// the ones a change made stale.
const redis = new Redis(config.redisUrl);
const checks = createCheckClient({
  workos,
  membershipLookup: sync,
  timeoutMs: 2_000,
  cache: { allowedTtlMs: 60_000, deniedTtlMs: 10_000 },
  invalidation: { redis, prefix: config.prefix },
  logger,
});
await checks.ready();
const service = createWorkspacesService({ store: new MemoryStore(), sync, checks });

const server = createApp({ service, checks, logger }).listen(config.port, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info({ url: `http://127.0.0.1:${port}`, workos: config.workosBaseUrl }, 'example app listening');
});

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'example app stopping');
  server.close();
  await sync.close();
  await checks.close();
  redis.disconnect();
  process.exit(0);
}

process.once('SIGINT', (signal) => void shutdown(signal));
process.once('SIGTERM', (signal) => void shutdown(signal));
