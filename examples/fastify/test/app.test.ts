import { describeExampleApp } from '@fgakit-examples/shared/contract';
import { createApp } from '../src/app.js';

describeExampleApp('fastify', async (dependencies) => {
  const app = await createApp(dependencies);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server;
});
