import type { AddressInfo } from 'node:net';

import { describeAdapterContract, reachedBody, type ContractSetup, type RunningServer } from '@fgakit-internal/adapter-contract';
import Router from '@koa/router';
import Koa from 'koa';

import { createGuards, type GuardContext } from '../src/index.js';

async function start(setup: ContractSetup): Promise<RunningServer> {
  const resolveSubject = (ctx: GuardContext) => setup.resolveSubject(ctx.get('x-membership') || undefined);
  const { requirePermission } = createGuards({ checks: setup.checks, resolveSubject });
  const custom = createGuards({
    checks: setup.checks,
    resolveSubject,
    onDenied: (ctx, result) => {
      setup.onDenied(result);
      ctx.status = setup.customDenial.status;
      ctx.body = setup.customDenial.body;
    },
  });
  const workspace = (ctx: GuardContext) => ({ resourceTypeSlug: 'workspace', resourceExternalId: String((ctx.params as Record<string, string>).id) });
  const reached = (ctx: GuardContext) => {
    ctx.body = reachedBody(String((ctx.params as Record<string, string>).id), ctx.state.fgakit?.decisions);
  };

  const router = new Router();
  router.get('/workspaces/:id', requirePermission('workspace:view', workspace), reached);
  router.get('/any/:id', requirePermission({ anyOf: ['workspace:edit', 'workspace:view'] }, workspace), reached);
  router.get('/all/:id', requirePermission({ allOf: ['workspace:edit', 'workspace:view'] }, workspace), reached);
  router.get('/hidden/:id', requirePermission('workspace:view', workspace, { hideDenied: true }), reached);
  router.get('/custom/:id', custom.requirePermission('workspace:view', workspace), reached);
  router.get('/async/:id', requirePermission('workspace:view', async (ctx) => Promise.resolve(workspace(ctx))), reached);
  router.get(
    '/broken/:id',
    requirePermission('workspace:view', () => {
      throw setup.resolverError;
    }),
    reached,
  );
  router.get(
    '/stacked/:id',
    async (ctx, next) => {
      ctx.set('x-existing', 'ran');
      await next();
    },
    requirePermission('workspace:view', workspace),
    requirePermission('workspace:view', workspace),
    reached,
  );

  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      ctx.status = 500;
      ctx.body = { error: (error as Error).message };
    }
  });
  app.use(router.routes());

  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describeAdapterContract({ name: 'koa', start });
