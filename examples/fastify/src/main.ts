import { createExampleRuntime, readConfig, stopOnSignal } from '@fgakit-examples/shared';
import { pino } from 'pino';
import { createApp } from './app.js';

const config = readConfig();
const logger = pino({ name: 'fgakit-example-fastify', level: config.logLevel });
const runtime = await createExampleRuntime(config, logger);

const app = await createApp(runtime);
const url = await app.listen({ port: config.port, host: '127.0.0.1' });
logger.info({ url, workos: config.workosBaseUrl }, 'example app listening');

stopOnSignal(logger, 'example app', async () => {
  await app.close();
  await runtime.close();
});
