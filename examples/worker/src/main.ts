import { createSyncWorker, createWorkOS } from '@fgakit/core';
import { readConfig } from '@fgakit-examples/shared';
import { pino } from 'pino';

const config = readConfig();
const logger = pino({ name: 'fgakit-sync-worker', level: config.logLevel });

// The worker makes its own retries, so the SDK's are switched off.
const workos = createWorkOS({ apiKey: config.workosApiKey, baseUrl: config.workosBaseUrl });
const worker = createSyncWorker({ workos, connection: config.redisUrl, prefix: config.prefix, logger });

logger.info({ workos: config.workosBaseUrl, prefix: config.prefix }, 'sync worker started');

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'sync worker stopping');
  await worker.close();
  logger.info({}, 'sync worker stopped');
  process.exit(0);
}

process.once('SIGINT', (signal) => void shutdown(signal));
process.once('SIGTERM', (signal) => void shutdown(signal));
