import { createSyncWorker, createWorkOS } from '@fgakit/core';
import { readConfig, stopOnSignal } from '@fgakit-examples/shared';
import { pino } from 'pino';

const config = readConfig();
const logger = pino({ name: 'fgakit-sync-worker', level: config.logLevel });

const workos = createWorkOS({ apiKey: config.workosApiKey, baseUrl: config.workosBaseUrl });
const worker = createSyncWorker({ workos, connection: config.redisUrl, prefix: config.prefix, logger });
logger.info({ workos: config.workosBaseUrl, prefix: config.prefix }, 'sync worker started');

stopOnSignal(logger, 'sync worker', () => worker.close());
