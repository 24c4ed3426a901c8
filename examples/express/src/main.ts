import { createExampleRuntime, readConfig, stopOnSignal } from '@fgakit-examples/shared';
import { pino } from 'pino';
import { createApp } from './app.js';

const config = readConfig();
const logger = pino({ name: 'fgakit-example-express', level: config.logLevel });
const runtime = await createExampleRuntime(config, logger);

const server = createApp(runtime).listen(config.port, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info({ url: `http://127.0.0.1:${port}`, workos: config.workosBaseUrl }, 'example app listening');
});

stopOnSignal(logger, 'example app', async () => {
  server.close();
  await runtime.close();
});
