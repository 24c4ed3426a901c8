import { describeExampleApp } from '@fgakit-examples/shared/contract';
import { createApp } from '../src/app.js';

describeExampleApp('koa', async (dependencies) => createApp(dependencies).listen(0, '127.0.0.1'));
